import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, sendJson } from '../kit/json-http.ts';
import type { Route } from '../kit/route.ts';

const MAX_SLOW_MS = 30_000;

/**
 * Testing aids, not part of the notifications API: they let the gateway's tests prove that
 * the passthrough streams bodies byte for byte (/echo) and that timeouts fire (/slow).
 */
export function testingRoutes(): Route[] {
  return [
    { method: 'POST', path: '/echo', handler: echo },
    { method: 'PUT', path: '/echo', handler: echo },
    {
      method: 'GET',
      path: '/slow',
      handler: (_req, res, _params, query) => {
        const ms = Number(query.get('ms') ?? '0');
        if (!Number.isInteger(ms) || ms < 0) return sendError(res, 400, 'BAD_REQUEST', 'ms: an integer of 0 or more');
        const waitMs = Math.min(ms, MAX_SLOW_MS);
        return new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            sendJson(res, 200, { waitedMs: waitMs });
            resolve();
          }, waitMs);
          // A caller that gives up (the gateway's timeout) should not leave a timer behind.
          res.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      },
    },
  ];
}

/** Streams the request body back as it arrives, unchanged, with the same content-type. */
async function echo(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' };
  const length = req.headers['content-length'];
  if (length !== undefined) headers['content-length'] = length;
  res.writeHead(200, headers);
  await pipeline(req, res);
}
