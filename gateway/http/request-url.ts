import type { IncomingMessage } from 'node:http';

/**
 * The request target split at the first `?`: the path, and the query with its `?` (`''`
 * when there is none). Routing, labels and logs take the path only: a query string can
 * carry credentials (`?access_token=`).
 */
export function splitRequestUrl(req: IncomingMessage): { path: string; search: string } {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q >= 0 ? { path: url.slice(0, q), search: url.slice(q) } : { path: url, search: '' };
}

export function pathOf(req: IncomingMessage): string {
  return splitRequestUrl(req).path;
}
