import { createLocalJWKSet, errors, type CryptoKey, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';

/**
 * Where verification keys come from. Every source is a jose key resolver: it gets the
 * token's (still unverified) header and returns the one key to check the signature with,
 * or throws `JWKSNoMatchingKey` (→ `unknown_key`) or `KeySetUnavailable` (→ `jwks_unavailable`).
 */
export type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/** The key set could not be obtained (fetch failed, timed out, backing off, file unreadable). */
export class KeySetUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeySetUnavailable';
  }
}

/** A fixed key set (the dev identity's public key). */
export function staticKeySource(jwks: JSONWebKeySet): KeyResolver {
  const local = createLocalJWKSet(jwks);
  return (header, token) => local(header, token);
}

/**
 * Routes each token to a source by `kid`: the dev key's kid goes to the dev source, every
 * other token to the configured one (remote URL or file). With only one source, it gets
 * everything, so a token with a foreign kid still fails as `unknown_key`.
 */
export function selectKeySource(configured: KeyResolver | undefined, dev: { kid: string; resolve: KeyResolver } | undefined): KeyResolver {
  return async (header, token) => {
    if (dev && (header.kid === dev.kid || !configured)) return dev.resolve(header, token);
    if (configured) return configured(header, token);
    throw new errors.JWKSNoMatchingKey('no key set is configured (auth.jwks.url / auth.jwks.file / auth.devKeys)');
  };
}

/**
 * Errors that mean "the key set was read, and it has no (single) key for this token";
 * anything else a source throws means the key set itself could not be obtained.
 */
export function isKeyMatchError(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    // createLocalJWKSet throws this for an alg it cannot look keys up for.
    error instanceof errors.JOSENotSupported
  );
}
