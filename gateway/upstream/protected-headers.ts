import { CREDENTIAL_HEADERS, HOP_BY_HOP_HEADERS, isGatewayOwned } from './gateway-headers.ts';

/**
 * Headers outside the reach of the upstream header rules (header-rules.ts), and why. A rule
 * naming one is refused when the config loads; a `matching` rule passes them over, both
 * when it propagates and when it removes.
 *
 * - identity: the verified caller and the request id, set and signed by the identity and
 *   sign-request policies. A rule that could propagate a client's `x-user-id` (or rename
 *   another header onto it) would let the client say who it is.
 * - credential: `Authorization` and `X-API-Key` are the gateway's to consume; whether an
 *   upstream gets them is its `forwardCredentials`, one switch in one place.
 * - trace: `traceparent` / `tracestate` are the upstream call's span (identity.ts), not a copy.
 * - transport: framing and content negotiation of the call the door builds (Apollo Router's
 *   reserved headers plus RFC 9110 hop-by-hop): a client's `content-length` or `accept` on a
 *   subgraph fetch would break it.
 */
export type ProtectedKind = 'identity' | 'credential' | 'trace' | 'transport';

const CREDENTIALS: ReadonlySet<string> = new Set(CREDENTIAL_HEADERS);
const TRACE: ReadonlySet<string> = new Set(['traceparent', 'tracestate']);
const TRANSPORT: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP_HEADERS,
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'accept',
  'accept-encoding',
  'expect',
]);

/** Why `name` (lower-case) is out of the rules' reach, or undefined when a rule may use it. */
export function protectedKind(name: string): ProtectedKind | undefined {
  if (name === 'x-request-id' || isGatewayOwned(name)) return 'identity';
  if (CREDENTIALS.has(name)) return 'credential';
  if (TRACE.has(name)) return 'trace';
  if (TRANSPORT.has(name)) return 'transport';
  return undefined;
}

/** The hot path's question (header names from node:http are lower-case already). */
export function isProtected(name: string): boolean {
  return protectedKind(name) !== undefined;
}

/** The config error's explanation, per kind. */
export function protectedReason(kind: ProtectedKind): string {
  switch (kind) {
    case 'identity':
      return 'is an identity header the gateway sets and signs (x-user-*, x-consumer*, x-gateway-*, x-request-id): no header rule may set, propagate, rename onto or remove it';
    case 'credential':
      return "is a credential the gateway consumes: whether an upstream gets it is the upstream's forwardCredentials policy, not a header rule";
    case 'trace':
      return 'is trace context the gateway propagates for the upstream call itself (W3C traceparent/tracestate): no header rule may set or remove it';
    case 'transport':
      return 'belongs to the call the gateway builds (framing, content type, negotiation): no header rule may set or remove it';
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown protected header kind ${String(unreachable)}`);
    }
  }
}
