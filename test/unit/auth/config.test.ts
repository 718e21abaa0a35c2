import { describe, expect, it } from 'vitest';
import { authConfigSchema } from '../../../gateway/auth/config.ts';
import { configSchema } from '../../../gateway/config/schema.ts';

const sha = 'a'.repeat(64);

describe('auth config', () => {
  it('has zero-config defaults that let the demo run with dev tokens', () => {
    const auth = configSchema.parse({}).auth;
    expect(auth).toEqual({
      jwks: { cooldownMs: 30_000, cacheMaxAgeMs: 600_000, timeoutMs: 2_000, failureBackoffMs: 5_000 },
      issuer: 'bff-gateway-dev',
      audience: 'bff-gateway',
      algorithms: ['RS256', 'ES256', 'EdDSA'],
      clockToleranceSec: 30,
      tokenCache: { maxEntries: 10_000, maxAgeMs: 60_000 },
      apiKeys: [],
      devKeys: true,
      doors: {
        graphql: { kind: 'anonymous' },
        bff: { mobile: { kind: 'authenticated' }, web: { kind: 'authenticated' }, admin: { kind: 'roles', anyOf: ['admin'] } },
        rest: { kind: 'anonymous' },
      },
      graphql: { unauthorized: 'filter' },
    });
  });

  it.each(['none', 'HS256', 'HS384', 'HS512', 'hs256', 'RSA-OAEP'])('refuses algorithm %s', (alg) => {
    const result = authConfigSchema.safeParse({ algorithms: ['RS256', alg] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['algorithms', 1]);
    expect(result.error?.issues[0]?.message).toMatch(/not allowed/);
  });

  it('refuses an empty algorithm list, unknown keys, url and file together', () => {
    expect(authConfigSchema.safeParse({ algorithms: [] }).success).toBe(false);
    expect(authConfigSchema.safeParse({ jwks: { uri: 'x' } }).success).toBe(false);
    expect(authConfigSchema.safeParse({ jwks: { url: 'https://idp/jwks', file: 'k.json' } }).success).toBe(false);
    expect(authConfigSchema.safeParse({ jwks: { url: 'ftp://idp/jwks' } }).success).toBe(false);
  });

  it('validates API keys: hash format (lower-cased), required routes, unique ids and hashes', () => {
    const key = { id: 'k1', hash: sha.toUpperCase(), consumer: 'acme', routes: ['orders'] };
    expect(authConfigSchema.parse({ apiKeys: [key] }).apiKeys[0]).toEqual({
      id: 'k1',
      hash: sha,
      consumer: 'acme',
      tier: 'standard',
      scopes: [],
      roles: [],
      routes: ['orders'],
    });
    expect(authConfigSchema.safeParse({ apiKeys: [{ ...key, hash: 'abc' }] }).success).toBe(false);
    expect(authConfigSchema.safeParse({ apiKeys: [{ ...key, routes: [] }] }).success).toBe(false);
    expect(authConfigSchema.safeParse({ apiKeys: [{ ...key, tier: 'gold' }] }).success).toBe(false);
    const dupId = authConfigSchema.safeParse({ apiKeys: [key, { ...key, hash: 'b'.repeat(64) }] });
    expect(dupId.error?.issues[0]?.message).toMatch(/k1.*twice/);
    const dupHash = authConfigSchema.safeParse({ apiKeys: [key, { ...key, id: 'k2' }] });
    expect(dupHash.error?.issues[0]?.path).toEqual(['apiKeys', 1, 'hash']);
  });

  it('validates door requirements as a discriminated union', () => {
    const doors = { graphql: { kind: 'scopes', anyOf: [['read'], ['admin', 'write']] }, rest: { kind: 'authenticated' } };
    expect(authConfigSchema.parse({ doors }).doors.graphql).toEqual(doors.graphql);
    expect(authConfigSchema.safeParse({ doors: { graphql: { kind: 'scopes', anyOf: [] } } }).success).toBe(false);
    expect(authConfigSchema.safeParse({ doors: { graphql: { kind: 'roles', anyOf: [['x']] } } }).success).toBe(false);
    expect(authConfigSchema.safeParse({ doors: { graphql: { kind: 'everyone' } } }).success).toBe(false);
    expect(authConfigSchema.safeParse({ doors: { bff: { tv: { kind: 'anonymous' } } } }).success).toBe(false);
  });
});
