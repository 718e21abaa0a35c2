import type { Principal } from '../context/principal.ts';
import { isGatewayOwned } from './gateway-headers.ts';
import type { Policy } from './types.ts';

/**
 * Strips client-sent copies of gateway-owned headers, then adds the verified identity and
 * correlation headers. Every door's calls pass here, so no door can forget it.
 */
export function identityPolicy(): Policy {
  return (next) => (req) => {
    // Names are lower-cased so a door's `X-Request-Id` cannot ride along beside ours.
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!isGatewayOwned(name)) headers[name.toLowerCase()] = value;
    }
    Object.assign(headers, identityHeaders(req.ctx.principal));
    headers['x-request-id'] = req.ctx.requestId;
    if (req.ctx.clientName) headers['x-gateway-client'] = req.ctx.clientName;
    if (req.ctx.traceparent && !headers.traceparent) {
      headers.traceparent = req.ctx.traceparent;
      if (req.ctx.tracestate) headers.tracestate = req.ctx.tracestate;
    }
    return next({ ...req, headers });
  };
}

export function identityHeaders(principal: Principal): Record<string, string> {
  switch (principal.kind) {
    case 'anonymous':
      return {};
    case 'user':
      return {
        'x-user-id': principal.subject,
        'x-user-scopes': principal.scopes.join(' '),
        'x-user-roles': principal.roles.join(' '),
        'x-consumer-tier': principal.tier,
      };
    case 'consumer':
      return {
        'x-consumer': principal.consumer,
        'x-user-scopes': principal.scopes.join(' '),
        'x-user-roles': principal.roles.join(' '),
        'x-consumer-tier': principal.tier,
      };
    default: {
      const unreachable: never = principal;
      throw new Error(`unknown principal ${JSON.stringify(unreachable)}`);
    }
  }
}
