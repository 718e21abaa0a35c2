import type { ServerResponse } from 'node:http';
import { toGatewayError, type GatewayError } from '../errors/gateway-error.ts';
import { toGraphQLErrorJson, toProblem } from '../errors/render.ts';
import type { Door } from '../context/request-context.ts';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': headers['content-type'] ?? 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/**
 * Sends an error in the door's format: GraphQL doors answer with a GraphQL error body
 * (what GraphQL clients parse), every other door with problem+json. Same code, same status.
 */
export function sendError(res: ServerResponse, error: unknown, door: Door, requestId?: string, instance?: string): GatewayError {
  const err = toGatewayError(error);
  if (res.headersSent) {
    // Too late for a status: cut the response so the client sees a failure, not a short body.
    res.destroy(err);
    return err;
  }
  const headers: Record<string, string> = { ...err.headers };
  if (requestId) headers['x-request-id'] = requestId;
  if (door === 'graphql' || door === 'bff') {
    sendJson(res, err.status, { errors: [toGraphQLErrorJson(err, 'request')] }, headers);
  } else {
    sendJson(res, err.status, toProblem(err, requestId, instance), { ...headers, 'content-type': 'application/problem+json' });
  }
  return err;
}
