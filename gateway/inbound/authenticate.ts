import type { AccessRequirement, Authenticate } from '../auth/index.ts';
import { authorize } from '../auth/index.ts';
import { isGatewayError } from '../errors/gateway-error.ts';
import type { InboundPolicy } from '../http/edge.ts';
import type { RequestContext } from '../context/request-context.ts';

/**
 * Verifies the caller once, at the edge, and sets `ctx.principal`; everything downstream
 * (access checks, rate-limit keys, identity headers upstream) reads it from there.
 * Bad credentials are refused on every door, open ones included: a client sending a
 * broken token should hear so, not be served as anonymous.
 */
export function authenticatePolicy(authenticate: Authenticate): InboundPolicy {
  return async (req, _res, ctx) => {
    try {
      ctx.principal = await authenticate(req.headers);
    } catch (error) {
      if (isGatewayError(error)) ctx.log.info({ code: error.code, reason: error.extensions.reason }, 'authentication failed');
      throw error;
    }
  };
}

/** What the door (or REST route) requires of the verified caller. */
export function accessPolicy(requirementOf: (ctx: RequestContext) => AccessRequirement): InboundPolicy {
  return (_req, _res, ctx) => {
    try {
      authorize(ctx.principal, requirementOf(ctx), ctx.route);
    } catch (error) {
      if (isGatewayError(error)) ctx.log.info({ code: error.code, reason: error.extensions.reason, route: ctx.route }, 'access refused');
      throw error;
    }
  };
}
