import { describe, expect, it } from 'vitest';
import { createApiKeyStore, hashApiKey, sameDigest } from '../../../gateway/auth/api-keys.ts';
import { authConfigSchema } from '../../../gateway/auth/config.ts';
import { UnauthenticatedError } from '../../../gateway/errors/gateway-error.ts';

const ACME_KEY = 'acme_live_9f8b7c6d5e4f3a2b1c0d';
const GLOBEX_KEY = 'globex_live_0123456789abcdef';

const { apiKeys } = authConfigSchema.parse({
  apiKeys: [
    { id: 'acme-1', hash: hashApiKey(ACME_KEY), consumer: 'acme', tier: 'premium', scopes: ['orders:read'], roles: ['partner'], routes: ['orders'] },
    { id: 'globex-1', hash: hashApiKey(GLOBEX_KEY).toUpperCase(), consumer: 'globex', routes: ['*'] },
  ],
});
const store = createApiKeyStore(apiKeys);

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthenticatedError);
    return (error as UnauthenticatedError).reason;
  }
  return undefined;
}

describe('API keys', () => {
  it('hashApiKey is the sha256 hex the config holds', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('a valid key → its consumer principal with routes (frozen)', () => {
    const principal = store.authenticate(ACME_KEY);
    expect(principal).toEqual({
      kind: 'consumer',
      consumer: 'acme',
      tier: 'premium',
      scopes: ['orders:read'],
      roles: ['partner'],
      apiKeyId: 'acme-1',
      routes: ['orders'],
    });
    expect(Object.isFrozen(principal)).toBe(true);
    expect(Object.isFrozen(principal.scopes)).toBe(true);
    expect(store.authenticate(GLOBEX_KEY)).toMatchObject({ consumer: 'globex', tier: 'standard', routes: ['*'] });
  });

  it('invalid keys → invalid_api_key with an ApiKey challenge', () => {
    for (const key of ['', ' ', 'nope', `${ACME_KEY}x`, ACME_KEY.slice(0, -1), ACME_KEY.toUpperCase(), hashApiKey(ACME_KEY), 'ключ', 'x'.repeat(300), `${ACME_KEY}\n`]) {
      expect(reasonOf(() => store.authenticate(key))).toBe('invalid_api_key');
    }
    try {
      store.authenticate('nope');
    } catch (error) {
      expect((error as UnauthenticatedError).headers['www-authenticate']).toBe('ApiKey realm="bff-gateway", error="invalid_key"');
      expect((error as UnauthenticatedError).message).not.toContain('nope');
    }
  });

  it('no keys configured: every key is invalid', () => {
    expect(reasonOf(() => createApiKeyStore([]).authenticate(ACME_KEY))).toBe('invalid_api_key');
  });

  describe('constant-time path', () => {
    it('sameDigest compares full 32-byte digests and never throws on length differences', () => {
      const a = Buffer.from(hashApiKey('a'), 'hex');
      const b = Buffer.from(hashApiKey('b'), 'hex');
      expect(sameDigest(a, Buffer.from(a))).toBe(true);
      expect(sameDigest(a, b)).toBe(false);
      // Differing only in the last byte still compares every byte (timingSafeEqual) and fails.
      const lastByte = Buffer.from(a);
      lastByte[31] = (lastByte[31] ?? 0) ^ 1;
      expect(sameDigest(a, lastByte)).toBe(false);
      expect(sameDigest(a, a.subarray(0, 16))).toBe(false);
    });
  });
});
