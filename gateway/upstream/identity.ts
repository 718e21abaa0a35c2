import { context, propagation } from '@opentelemetry/api';
import type { Principal } from '../context/principal.ts';
import { isCredential, isGatewayOwned } from './gateway-headers.ts';
import type { Policy } from './types.ts';

export interface IdentityPolicyOptions {
  /** Forward the client's `Authorization` and `X-API-Key` (the upstream's `forwardCredentials`). Default: strip them. */
  readonly forwardCredentials: boolean;
}

/**
 * Strips client-sent copies of gateway-owned headers and, unless the upstream asks for
 * them, the credentials the gateway consumed; then adds the verified identity and
 * correlation headers (signed per attempt by sign-request.ts). Every door's calls pass
 * here, so no door can forget it.
 */
export function identityPolicy(options: IdentityPolicyOptions): Policy {
  const stripCredentials = (name: string): boolean => isGatewayOwned(name) || isCredential(name);
  const stripDefault = options.forwardCredentials ? isGatewayOwned : stripCredentials;
  return (next) => (req) => {
    const strip = req.forwardsCredentials ? isGatewayOwned : stripDefault;
    // Names are lower-cased so a door's `X-Request-Id` cannot ride along beside ours.
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!strip(name)) headers[name.toLowerCase()] = value;
    }
    Object.assign(headers, identityHeaders(req.ctx.principal));
    headers['x-request-id'] = req.ctx.requestId;
    if (req.ctx.clientName) headers['x-gateway-client'] = req.ctx.clientName;
    setTraceContext(headers, req.ctx.traceparent, req.ctx.tracestate);
    return next({ ...req, headers });
  };
}

/**
 * Trace context for the upstream. With tracing on, the active context is the upstream
 * call's span (the telemetry policy runs the pipeline in it): its `traceparent` goes out,
 * and whatever a door copied from the client is dropped, or the upstream would see a
 * parent we never made. With tracing off the propagator is a no-op and the client's own
 * trace context passes through unchanged, so its trace still links up across us.
 */
function setTraceContext(headers: Record<string, string | string[]>, clientTraceparent: string | undefined, clientTracestate: string | undefined): void {
  delete headers.traceparent;
  delete headers.tracestate;
  propagation.inject(context.active(), headers);
  if (headers.traceparent !== undefined || !clientTraceparent) return;
  headers.traceparent = clientTraceparent;
  if (clientTracestate) headers.tracestate = clientTracestate;
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
