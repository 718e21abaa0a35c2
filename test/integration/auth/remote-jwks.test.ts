import { afterEach, describe, expect, it } from 'vitest';
import type { JwksConfig } from '../../../gateway/auth/config.ts';
import { createJwtVerifier, type JwtVerifier } from '../../../gateway/auth/jwt-verifier.ts';
import { UnauthenticatedError } from '../../../gateway/errors/gateway-error.ts';
import { hmacToken, makeKey, signToken, testAuthConfig, unsignedToken, type TestKey } from '../../helpers/auth-tokens.ts';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function reasonOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return (error as UnauthenticatedError).reason;
}

const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop().catch(() => undefined)));
});

async function setup(
  keys: TestKey[],
  jwks: Partial<Omit<JwksConfig, 'url' | 'file'>> = {},
): Promise<{ server: JwksServer; verifier: JwtVerifier }> {
  const server = await startJwksServer(keys.map((k) => k.publicJwk));
  servers.push(server);
  const verifier = createJwtVerifier(testAuthConfig({ jwks: { url: server.url, ...jwks } }));
  return { server, verifier };
}

describe('remote JWKS', () => {
  it('fetches lazily, once, and verifies from the cache afterwards', async () => {
    const key = await makeKey('RS256');
    const { server, verifier } = await setup([key]);
    expect(server.fetches).toBe(0);
    for (let i = 0; i < 5; i += 1) await expect(verifier.verify(await signToken(key))).resolves.toMatchObject({ kind: 'user' });
    expect(server.fetches).toBe(1);
  });

  it('concurrent first requests share one fetch', async () => {
    const key = await makeKey('ES256');
    const { server, verifier } = await setup([key]);
    const token = await signToken(key);
    await Promise.all(Array.from({ length: 20 }, () => verifier.verify(token)));
    expect(server.fetches).toBe(1);
  });

  it('rotation: a token signed with a newly published key verifies without restarting the verifier', async () => {
    const [oldKey, newKey] = await Promise.all([makeKey('RS256'), makeKey('RS256')]);
    const { server, verifier } = await setup([oldKey], { cooldownMs: 100 });
    await verifier.verify(await signToken(oldKey));
    server.addKey(newKey.publicJwk);
    await sleep(150);
    await expect(verifier.verify(await signToken(newKey))).resolves.toMatchObject({ kind: 'user' });
    expect(server.fetches).toBe(2);
    // The old key still verifies while the IdP still publishes it…
    await expect(verifier.verify(await signToken(oldKey))).resolves.toMatchObject({ kind: 'user' });
  });

  it('refetch cooldown: N tokens with unknown kids cause no fetch within the cooldown', async () => {
    const key = await makeKey('ES256');
    const { server, verifier } = await setup([key], { cooldownMs: 60_000 });
    await verifier.verify(await signToken(key));
    expect(server.fetches).toBe(1);
    const strangers = await Promise.all(Array.from({ length: 10 }, () => makeKey('ES256')));
    const tokens = await Promise.all(strangers.map((k) => signToken(k)));
    const reasons = await Promise.all(tokens.map((t) => reasonOf(verifier.verify(t))));
    for (const t of tokens) reasons.push(await reasonOf(verifier.verify(t)));
    expect(new Set(reasons)).toEqual(new Set(['unknown_key']));
    expect(server.fetches).toBe(1);
  });

  it('refetch cooldown: once it has passed, a burst of unknown kids causes exactly one fetch', async () => {
    const key = await makeKey('ES256');
    const { server, verifier } = await setup([key], { cooldownMs: 150 });
    await verifier.verify(await signToken(key));
    await sleep(200);
    const strangers = await Promise.all(Array.from({ length: 10 }, () => makeKey('ES256')));
    const tokens = await Promise.all(strangers.map((k) => signToken(k)));
    await Promise.all(tokens.map((t) => reasonOf(verifier.verify(t))));
    for (const t of tokens) expect(await reasonOf(verifier.verify(t))).toBe('unknown_key');
    expect(server.fetches).toBe(2);
  });

  it('tokens refused before key lookup (alg none, HS256, garbage) never cause a fetch', async () => {
    const key = await makeKey('RS256');
    const { server, verifier } = await setup([key], { cooldownMs: 0 });
    expect(await reasonOf(verifier.verify(unsignedToken({}, { kid: 'x' })))).toBe('algorithm_not_allowed');
    expect(await reasonOf(verifier.verify(hmacToken(key.publicPem, {}, { kid: key.kid })))).toBe('algorithm_not_allowed');
    expect(await reasonOf(verifier.verify('garbage'))).toBe('malformed_token');
    expect(server.fetches).toBe(0);
  });

  describe('JWKS endpoint down', () => {
    it('keys already cached still verify; an unknown kid fails closed with jwks_unavailable', async () => {
      const [key, newKey] = await Promise.all([makeKey('RS256'), makeKey('RS256')]);
      const { server, verifier } = await setup([key], { cooldownMs: 50, cacheMaxAgeMs: 100, failureBackoffMs: 0 });
      await verifier.verify(await signToken(key));
      await server.stop();
      await sleep(150); // past both the cooldown and the cache max age
      await expect(verifier.verify(await signToken(key))).resolves.toMatchObject({ kind: 'user' });
      expect(await reasonOf(verifier.verify(await signToken(newKey)))).toBe('jwks_unavailable');
    });

    it('never fetched and unreachable → jwks_unavailable', async () => {
      const key = await makeKey('ES256');
      const { server, verifier } = await setup([key]);
      await server.stop();
      expect(await reasonOf(verifier.verify(await signToken(key)))).toBe('jwks_unavailable');
    });

    it('HTTP errors and bodies that are not a JWKS → jwks_unavailable', async () => {
      const key = await makeKey('ES256');
      const { server, verifier } = await setup([key], { failureBackoffMs: 0 });
      server.failWith(503);
      expect(await reasonOf(verifier.verify(await signToken(key)))).toBe('jwks_unavailable');
      server.failWith(undefined);
      for (const body of ['<html>oops</html>', '{"keys": 42}', 'null', '{"keys": [1]}']) {
        server.serveRaw(body);
        expect(await reasonOf(verifier.verify(await signToken(key)))).toBe('jwks_unavailable');
      }
      server.serveRaw(undefined);
      await expect(verifier.verify(await signToken(key))).resolves.toMatchObject({ kind: 'user' });
    });

    it('a slow endpoint trips the fetch timeout → jwks_unavailable, quickly', async () => {
      const key = await makeKey('ES256');
      const { server, verifier } = await setup([key], { timeoutMs: 100 });
      server.delayMs = 1_000;
      const started = Date.now();
      expect(await reasonOf(verifier.verify(await signToken(key)))).toBe('jwks_unavailable');
      expect(Date.now() - started).toBeLessThan(800);
    });

    it('after a failed fetch, the IdP is not hammered: fetches wait for the failure backoff', async () => {
      const key = await makeKey('ES256');
      const { server, verifier } = await setup([key], { cooldownMs: 0, failureBackoffMs: 300 });
      await verifier.verify(await signToken(key));
      server.failWith(503);
      const strangers = await Promise.all(Array.from({ length: 10 }, () => makeKey('ES256')));
      for (const k of strangers) expect(await reasonOf(verifier.verify(await signToken(k)))).toBe('jwks_unavailable');
      expect(server.fetches).toBe(2); // the first good fetch + one failed attempt
      // Cached keys keep working meanwhile.
      await expect(verifier.verify(await signToken(key))).resolves.toMatchObject({ kind: 'user' });

      // Recovery: after the backoff the next unknown kid fetches again and the new key verifies.
      const rotated = strangers[0] as TestKey;
      server.failWith(undefined);
      server.addKey(rotated.publicJwk);
      await sleep(350);
      await expect(verifier.verify(await signToken(rotated))).resolves.toMatchObject({ kind: 'user' });
      expect(server.fetches).toBe(3);
    });
  });
});
