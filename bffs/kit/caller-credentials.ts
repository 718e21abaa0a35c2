import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../../gateway/context/request-context.ts';

/**
 * The caller's raw `Authorization` header, kept beside (not inside) its RequestContext:
 * only the HTTP supergraph client needs it (a remote gateway re-verifies the token), and
 * a credential must not ride along everywhere the context goes (loggers, error causes).
 * A WeakMap keyed by the context: the entry goes with the request, so nothing can grow.
 */
const authorizationByRequest = new WeakMap<RequestContext, string>();

export function rememberAuthorization(ctx: RequestContext, req: Pick<IncomingMessage, 'headers'>): void {
  const value = req.headers.authorization;
  if (value) authorizationByRequest.set(ctx, value);
}

export function authorizationOf(ctx: RequestContext): string | undefined {
  return authorizationByRequest.get(ctx);
}
