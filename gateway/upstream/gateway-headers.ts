import { SIGNATURE_HEADERS } from '../identity-signing/protocol.ts';

/**
 * Headers only the gateway may set. Any copy a client sends is stripped at the edge of
 * every pipeline (see identity.ts), and what the gateway sets is signed (sign-request.ts),
 * so an upstream can tell the gateway's assertion from anyone else's.
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

/**
 * Credentials the gateway consumes (the bearer token it verified, the API key it looked
 * up). They are not forwarded unless an upstream's policy says so (`forwardCredentials`,
 * Kong's `hide_credentials` turned around): what the upstream needs is the verified
 * identity, and a token that leaves the gateway can be replayed by whoever receives it.
 */
export const CREDENTIAL_HEADERS = ['authorization', 'x-api-key'] as const;

const OWNED: ReadonlySet<string> = new Set([...GATEWAY_OWNED_HEADERS, ...SIGNATURE_HEADERS]);
const CREDENTIALS: ReadonlySet<string> = new Set(CREDENTIAL_HEADERS);

/**
 * The name families the gateway's own headers live in. A client copy of any of them is
 * stripped, not only of the names the gateway sets today: an upstream that reads
 * `x-user-email` or `x-consumer-id` must not be able to take a client's word for it, and a
 * header added to the identity later is protected from the first day. No header rule
 * (header-rules.ts) may set, propagate or remove one either.
 */
export const GATEWAY_OWNED_PREFIXES = ['x-user-', 'x-consumer', 'x-gateway-'] as const;

/** Identity and signature headers (and their families): only the gateway sets them. */
export function isGatewayOwned(name: string): boolean {
  const lower = name.toLowerCase();
  return OWNED.has(lower) || GATEWAY_OWNED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

export function isCredential(name: string): boolean {
  return CREDENTIALS.has(name.toLowerCase());
}
