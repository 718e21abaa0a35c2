import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConsumerPrincipal } from '../context/principal.ts';
import { UnauthenticatedError } from '../errors/gateway-error.ts';
import type { ApiKeyConfig } from './config.ts';

export interface ApiKeyStore {
  /** The consumer the key belongs to (with its allowed `routes`), or `invalid_api_key`. */
  authenticate(key: string): ConsumerPrincipal;
}

/** Printable ASCII, no spaces; real keys are 20–100 characters. */
const API_KEY = /^[\x21-\x7e]{1,256}$/;

/** SHA-256 of a key, hex: what `auth.apiKeys[].hash` holds. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * API keys, stored only as SHA-256 digests (a leaked config does not leak keys) and looked
 * up by digest. The lookup itself cannot leak a key by timing: the map is keyed by the
 * digest of what the caller sent, which tells an attacker nothing about stored keys. The
 * final comparison is still `timingSafeEqual`, and a miss compares against a dummy digest,
 * so hits and misses do the same work.
 *
 * Each key's principal is built and frozen here, once.
 */
export function createApiKeyStore(keys: readonly ApiKeyConfig[]): ApiKeyStore {
  const byDigest = new Map<string, { digest: Buffer; principal: ConsumerPrincipal }>();
  for (const k of keys) {
    const principal: ConsumerPrincipal = Object.freeze({
      kind: 'consumer',
      consumer: k.consumer,
      scopes: Object.freeze([...k.scopes]),
      roles: Object.freeze([...k.roles]),
      tier: k.tier,
      apiKeyId: k.id,
      routes: Object.freeze([...k.routes]),
    });
    const hex = k.hash.toLowerCase();
    byDigest.set(hex, { digest: Buffer.from(hex, 'hex'), principal });
  }
  const dummy = randomBytes(32);

  return Object.freeze({
    authenticate(key: string): ConsumerPrincipal {
      if (!API_KEY.test(key)) throw invalidKey();
      const digest = createHash('sha256').update(key, 'utf8').digest();
      const entry = byDigest.get(digest.toString('hex'));
      const same = sameDigest(digest, entry?.digest ?? dummy);
      if (!entry || !same) throw invalidKey();
      return entry.principal;
    },
  });
}

/** Constant-time equality of two SHA-256 digests (always 32 bytes, so lengths never differ). */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function invalidKey(): UnauthenticatedError {
  return new UnauthenticatedError('invalid_api_key', 'API key is not valid', { scheme: 'ApiKey' });
}
