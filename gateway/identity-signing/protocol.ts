import { createHmac, hash, type KeyObject } from 'node:crypto';

/**
 * The gateway→upstream identity signature, v1: what both sides compute. The gateway signs
 * (signer.ts), upstreams verify (verify.ts); anything else that must call our upstreams
 * as the gateway would (a comparison gateway in the bench, a test) signs with
 * `signatureHeaders`. Pure functions over node:crypto: no config, no I/O.
 *
 * The canonical string is one field per line, in this order (values never hold CR or LF:
 * HTTP forbids them in header values and request targets, so the join is unambiguous):
 *
 *   bff-gateway-identity-v1
 *   <key id>
 *   <timestamp: unix seconds>
 *   <METHOD>
 *   <path and query below the upstream's base URL>
 *   <body digest: "sha256=<base64url>" or "unsigned">
 *   <x-request-id> <x-gateway-client> <x-user-id> <x-user-scopes> <x-user-roles>
 *   <x-consumer> <x-consumer-tier>        (one line each; absent = empty)
 *
 * and the signature is `v1=` + base64url(HMAC-SHA256(secret, canonical string)).
 */

export const SIGNATURE_VERSION = 'bff-gateway-identity-v1';

/** The headers the signature travels in; gateway-owned (a client's copies are stripped). */
export const SIGNATURE_HEADER = 'x-gateway-signature';
export const KEY_ID_HEADER = 'x-gateway-key-id';
export const TIMESTAMP_HEADER = 'x-gateway-timestamp';
export const BODY_DIGEST_HEADER = 'x-gateway-body-digest';
export const SIGNATURE_HEADERS = [SIGNATURE_HEADER, KEY_ID_HEADER, TIMESTAMP_HEADER, BODY_DIGEST_HEADER] as const;

/**
 * Set by a verifying upstream on its 401, so the gateway can tell "you signed wrong" (an
 * operator's key mistake, logged loudly) from an ordinary 401 without reading the body.
 */
export const SIGNATURE_ERROR_HEADER = 'x-gateway-signature-error';

/**
 * What the gateway asserts, in canonical order: the correlation id, the client name and the
 * verified identity (gateway/upstream/identity.ts sets exactly these).
 */
export const SIGNED_HEADERS = [
  'x-request-id',
  'x-gateway-client',
  'x-user-id',
  'x-user-scopes',
  'x-user-roles',
  'x-consumer',
  'x-consumer-tier',
] as const;

/**
 * A streamed body (the REST passthrough) is not buffered to be hashed, so it is not covered,
 * as AWS SigV4's `UNSIGNED-PAYLOAD`; method, path, query and identity still are.
 */
export const UNSIGNED_BODY = 'unsigned';

/** Key ids: short and printable, so they can sit in a header and a log line. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** Secrets are at least this long (256 bits of base64 is 43 characters). */
export const MIN_SECRET_LENGTH = 32;

/**
 * The dev key: what `npm start`, the tests and the demo containers share with zero
 * config. It is in the source, so it proves nothing: the gateway and the subgraph kit both
 * refuse it when NODE_ENV=production.
 */
export const DEV_KEY_ID = 'dev';
export const DEV_SECRET = 'bff-gateway-dev-identity-signing-key:public:refused-in-production';

export type HeaderValue = string | readonly string[] | undefined;

/** `sha256=<base64url>` of a body the caller holds whole (one-shot `hash`: half createHash's cost). */
export function bodyDigest(body: string | Uint8Array): string {
  return `sha256=${hash('sha256', body, 'base64url')}`;
}

/** The digest of no body (GET, DELETE, …), computed once. */
export const EMPTY_BODY_DIGEST = bodyDigest('');

export interface CanonicalInput {
  readonly keyId: string;
  readonly timestamp: string;
  readonly method: string;
  /** Path and query below the upstream's base URL (`''` for a subgraph at its routing URL). */
  readonly path: string;
  readonly bodyDigest: string;
  /** Lower-case names; a repeated header (an array) is signed joined, as node:http joins it. */
  readonly headers: Readonly<Record<string, HeaderValue>>;
}

export function canonicalString(input: CanonicalInput): string {
  let out = `${SIGNATURE_VERSION}\n${input.keyId}\n${input.timestamp}\n${input.method}\n${input.path}\n${input.bodyDigest}`;
  for (const name of SIGNED_HEADERS) out += `\n${headerText(input.headers[name])}`;
  return out;
}

/** `v1=<base64url>` over the canonical string. */
export function computeSignature(key: KeyObject | string, input: CanonicalInput): string {
  return `v1=${createHmac('sha256', key).update(canonicalString(input)).digest('base64url')}`;
}

export interface SignInput {
  readonly keyId: string;
  readonly key: KeyObject | string;
  readonly method: string;
  readonly path: string;
  /** The whole body when the caller has it (it is digested), `null` for none, `'unsigned'` for a stream. */
  readonly body: string | Uint8Array | null | typeof UNSIGNED_BODY;
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** Unix seconds. */
  readonly timestampSec: number;
}

/** The four signature headers for one request. */
export function signatureHeaders(input: SignInput): Record<(typeof SIGNATURE_HEADERS)[number], string> {
  const digest = input.body === null ? EMPTY_BODY_DIGEST : input.body === UNSIGNED_BODY ? UNSIGNED_BODY : bodyDigest(input.body);
  const timestamp = String(input.timestampSec);
  const signature = computeSignature(input.key, {
    keyId: input.keyId,
    timestamp,
    method: input.method,
    path: input.path,
    bodyDigest: digest,
    headers: input.headers,
  });
  return { [SIGNATURE_HEADER]: signature, [KEY_ID_HEADER]: input.keyId, [TIMESTAMP_HEADER]: timestamp, [BODY_DIGEST_HEADER]: digest };
}

function headerText(value: HeaderValue): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.join(', ');
}
