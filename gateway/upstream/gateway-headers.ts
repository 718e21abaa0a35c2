/**
 * Headers only the gateway may set. Any copy a client sends is stripped at the edge of
 * every pipeline, so a subgraph can trust them (see identity.ts).
 */
export const GATEWAY_OWNED_HEADERS = [
  'x-user-id',
  'x-user-scopes',
  'x-user-roles',
  'x-consumer',
  'x-consumer-tier',
  'x-gateway-client',
] as const;

/** RFC 9110 §7.6.1 hop-by-hop headers, never forwarded in either direction. */
export const HOP_BY_HOP_HEADERS = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
] as const;

const OWNED: ReadonlySet<string> = new Set(GATEWAY_OWNED_HEADERS);

export function isGatewayOwned(name: string): boolean {
  return OWNED.has(name.toLowerCase());
}
