import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyError, sendError } from './json-http.ts';

export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Readonly<Record<string, string>>,
  query: URLSearchParams,
) => Promise<void> | void;

export interface Route {
  readonly method: string;
  /** Segments; `:name` captures one segment. */
  readonly path: string;
  readonly handler: RouteHandler;
}

/**
 * A tiny router for the REST demo services: exact segment matches with `:param`
 * captures, 405 with Allow when the path exists under another method, 404 JSON otherwise,
 * and BodyError (bad JSON, too large) answered as 400/413.
 */
export function router(routes: readonly Route[]): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const compiled = routes.map((r) => ({ ...r, segments: split(r.path) }));
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://service.invalid');
    const segments = split(url.pathname);
    const method = req.method ?? 'GET';
    const allowed: string[] = [];
    for (const route of compiled) {
      const params = match(route.segments, segments);
      if (!params) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      try {
        await route.handler(req, res, params, url.searchParams);
      } catch (error) {
        if (!(error instanceof BodyError) || res.headersSent) throw error;
        sendError(res, error.status, error.code, error.message);
      }
      return;
    }
    if (allowed.length > 0) return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`, { allow: allowed.join(', ') });
    sendError(res, 404, 'NOT_FOUND', `no route for ${method} ${url.pathname}`);
  };
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function match(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const a = actual[i] as string;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(a);
      } catch {
        return undefined;
      }
    } else if (p !== a) return undefined;
  }
  return params;
}
