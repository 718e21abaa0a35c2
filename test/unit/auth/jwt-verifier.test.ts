import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, type JwtVerifier } from '../../../gateway/auth/jwt-verifier.ts';
import { ConfigError } from '../../../gateway/config/load.ts';
import { UnauthenticatedError } from '../../../gateway/errors/gateway-error.ts';
import {
  b64url,
  hmacToken,
  jwksOf,
  makeKey,
  signToken,
  tamperPayload,
  tempDir,
  testAuthConfig,
  unsignedToken,
  writeJwksFile,
  type TestKey,
} from '../../helpers/auth-tokens.ts';

/** The UnauthenticatedError `promise` rejects with (fails the test on anything else). */
async function rejection(promise: Promise<unknown>): Promise<UnauthenticatedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return error as UnauthenticatedError;
}

async function expectReason(promise: Promise<unknown>, reason: string): Promise<UnauthenticatedError> {
  const error = await rejection(promise);
  expect(error.code).toBe('UNAUTHENTICATED');
  expect(error.status).toBe(401);
  expect({ reason: error.reason, ext: error.extensions.reason }).toEqual({ reason, ext: reason });
  return error;
}

const now = (): number => Math.floor(Date.now() / 1000);

describe('JWT verifier (local JWKS file)', () => {
  let rsa: TestKey;
  let ec: TestKey;
  let ed: TestKey;
  let stranger: TestKey;
  let verifier: JwtVerifier;

  beforeAll(async () => {
    [rsa, ec, ed, stranger] = await Promise.all([makeKey('RS256'), makeKey('ES256'), makeKey('EdDSA'), makeKey('RS256')]);
    const file = join(tempDir(), 'jwks.json');
    writeJwksFile(file, jwksOf(rsa, ec, ed));
    verifier = createJwtVerifier(testAuthConfig({ jwks: { file } }));
  });

  it('accepts a valid token of each allowed algorithm and maps the claims to a user', async () => {
    for (const key of [rsa, ec, ed]) {
      const token = await signToken(key, { claims: { sub: `u-${key.alg}`, scope: 'read  orders:read', roles: ['admin'], tier: 'premium' } });
      const principal = await verifier.verify(token);
      expect(principal).toMatchObject({
        kind: 'user',
        subject: `u-${key.alg}`,
        scopes: ['read', 'orders:read'],
        roles: ['admin'],
        tier: 'premium',
        issuer: 'https://idp.test',
      });
      expect(Object.isFrozen(principal)).toBe(true);
      expect(Object.isFrozen(principal.claims)).toBe(true);
    }
  });

  it('defaults the tier to standard and reads scopes from scp', async () => {
    const principal = await verifier.verify(await signToken(rsa, { claims: { scp: ['a', 'b'] } }));
    expect(principal).toMatchObject({ tier: 'standard', scopes: ['a', 'b'], roles: [] });
  });

  it('accepts an audience array that contains ours', async () => {
    await expect(verifier.verify(await signToken(ec, { claims: { aud: ['other', 'test-api'] } }))).resolves.toMatchObject({ kind: 'user' });
  });

  describe('hostile tokens', () => {
    it('alg "none" → algorithm_not_allowed', async () => {
      await expectReason(verifier.verify(unsignedToken()), 'algorithm_not_allowed');
      await expectReason(verifier.verify(unsignedToken({}, { alg: 'None', kid: rsa.kid })), 'algorithm_not_allowed');
    });

    it('HS256 signed with the RSA public key (algorithm confusion) → algorithm_not_allowed', async () => {
      for (const secret of [rsa.publicPem, JSON.stringify(rsa.publicJwk), Buffer.from(rsa.publicJwk.n ?? '', 'base64url')]) {
        await expectReason(verifier.verify(hmacToken(secret, {}, { kid: rsa.kid })), 'algorithm_not_allowed');
      }
    });

    it('expired → token_expired (beyond the clock tolerance)', async () => {
      const error = await expectReason(verifier.verify(await signToken(rsa, { claims: { exp: now() - 31 } })), 'token_expired');
      expect(error.headers['www-authenticate']).toBe('Bearer realm="bff-gateway", error="invalid_token", error_description="Token has expired"');
    });

    it('expired within the 30 s clock tolerance still verifies', async () => {
      await expect(verifier.verify(await signToken(rsa, { claims: { exp: now() - 10 } }))).resolves.toMatchObject({ kind: 'user' });
    });

    it('nbf in the future → token_not_yet_valid', async () => {
      const error = await expectReason(verifier.verify(await signToken(rsa, { claims: { nbf: now() + 120 } })), 'token_not_yet_valid');
      expect(error.extensions.claim).toBe('nbf');
    });

    it('wrong iss → invalid_issuer; missing iss too', async () => {
      await expectReason(verifier.verify(await signToken(rsa, { claims: { iss: 'https://evil.test' } })), 'invalid_issuer');
      await expectReason(verifier.verify(await signToken(rsa, { claims: { iss: undefined } })), 'invalid_issuer');
    });

    it('wrong aud → invalid_audience', async () => {
      const error = await expectReason(verifier.verify(await signToken(rsa, { claims: { aud: 'another-api' } })), 'invalid_audience');
      // The message says what is wrong without echoing what we expect.
      expect(error.message).not.toContain('test-api');
    });

    it('unknown kid → unknown_key', async () => {
      await expectReason(verifier.verify(await signToken(stranger)), 'unknown_key');
    });

    it('a key we trust, under a kid we trust, but signed by another key → invalid_signature', async () => {
      await expectReason(verifier.verify(await signToken(stranger, { header: { kid: rsa.kid } })), 'invalid_signature');
    });

    it('tampered payload → invalid_signature', async () => {
      const token = await signToken(rsa, { claims: { roles: ['user'] } });
      await expectReason(verifier.verify(tamperPayload(token, { roles: ['admin'] })), 'invalid_signature');
      await expectReason(verifier.verify(tamperPayload(token, { sub: 'someone-else' })), 'invalid_signature');
    });

    it('garbage → malformed_token', async () => {
      for (const garbage of ['', 'garbage', 'a.b', 'a.b.c.d', '....', 'ey.ey.ey', '%%%.%%%.%%%', `${b64url({ alg: 'RS256' })}.not json at all.sig`, 'x'.repeat(20_000)]) {
        await expectReason(verifier.verify(garbage), 'malformed_token');
      }
      // A valid header over a payload that is not a JSON object.
      const header = b64url({ alg: 'RS256', kid: rsa.kid });
      await expectReason(verifier.verify(`${header}.${Buffer.from('[1,2]').toString('base64url')}.c2ln`), 'invalid_signature');
    });

    it('missing exp → missing_claim (exp), missing sub → missing_claim (sub)', async () => {
      const noExp = await expectReason(verifier.verify(await signToken(rsa, { claims: { exp: undefined } })), 'missing_claim');
      expect(noExp.extensions.claim).toBe('exp');
      const noSub = await expectReason(verifier.verify(await signToken(rsa, { claims: { sub: undefined } })), 'missing_claim');
      expect(noSub.extensions.claim).toBe('sub');
    });

    it('claims of the wrong type → invalid_claim', async () => {
      for (const [claims, claim] of [
        [{ exp: 'tomorrow' }, 'exp'],
        [{ sub: 42 }, 'sub'],
        [{ scope: ['a'] }, 'scope'],
        [{ roles: 'admin' }, 'roles'],
        [{ roles: ['admin', 1] }, 'roles'],
        [{ tier: 3 }, 'tier'],
      ] as const) {
        const error = await expectReason(verifier.verify(await signToken(rsa, { claims })), 'invalid_claim');
        expect(error.extensions.claim).toBe(claim);
      }
    });

    it('an allowed alg our key under that kid is not for (PS256 with an RS256 kid) → unknown_key', async () => {
      const file = join(tempDir(), 'jwks.json');
      writeJwksFile(file, jwksOf(rsa));
      const withPs = createJwtVerifier(testAuthConfig({ jwks: { file }, algorithms: ['RS256', 'PS256'] }));
      const ps = await makeKey('PS256', rsa.kid);
      await expectReason(withPs.verify(await signToken(ps, { header: { alg: 'PS256' } })), 'unknown_key');
    });

    it('messages never carry key material or the token', async () => {
      const token = hmacToken(rsa.publicPem, {}, { kid: rsa.kid });
      const error = await rejection(verifier.verify(token));
      expect(error.message).not.toContain(rsa.publicJwk.n?.slice(0, 20) ?? '');
      expect(error.message).not.toContain(token.slice(0, 20));
    });
  });

  it('algorithms are allow-listed: an ES256 token fails when only RS256 is configured', async () => {
    const file = join(tempDir(), 'jwks.json');
    writeJwksFile(file, jwksOf(rsa, ec));
    const rsOnly = createJwtVerifier(testAuthConfig({ jwks: { file }, algorithms: ['RS256'] }));
    await expectReason(rsOnly.verify(await signToken(ec)), 'algorithm_not_allowed');
    await expect(rsOnly.verify(await signToken(rsa))).resolves.toMatchObject({ kind: 'user' });
  });

  it('accepts any of several issuers', async () => {
    const file = join(tempDir(), 'jwks.json');
    writeJwksFile(file, jwksOf(rsa));
    const multi = createJwtVerifier(testAuthConfig({ jwks: { file }, issuer: ['https://a.test', 'https://idp.test'] }));
    await expect(multi.verify(await signToken(rsa))).resolves.toMatchObject({ issuer: 'https://idp.test' });
    await expectReason(multi.verify(await signToken(rsa, { claims: { iss: 'https://b.test' } })), 'invalid_issuer');
  });

  it('no key source at all → unknown_key', async () => {
    const none = createJwtVerifier(testAuthConfig());
    await expectReason(none.verify(await signToken(rsa)), 'unknown_key');
  });

  it('a missing or malformed JWKS file stops start-up with a ConfigError naming the key', () => {
    const dir = tempDir();
    expect(() => createJwtVerifier(testAuthConfig({ jwks: { file: join(dir, 'missing.json') } }))).toThrow(ConfigError);
    const bad = join(dir, 'bad.json');
    writeJwksFile(bad, { nope: true } as never);
    expect(() => createJwtVerifier(testAuthConfig({ jwks: { file: bad } }))).toThrow(/auth\.jwks\.file/);
  });
});

describe('JWT verifier: JWKS file rotation without restart', () => {
  it('a token signed with a newly added key verifies once the file changes (unknown kid re-reads it)', async () => {
    const [oldKey, newKey] = await Promise.all([makeKey('ES256'), makeKey('ES256')]);
    const file = join(tempDir(), 'jwks.json');
    writeJwksFile(file, jwksOf(oldKey));
    const verifier = createJwtVerifier(testAuthConfig({ jwks: { file, cooldownMs: 0 } }));
    await expect(verifier.verify(await signToken(oldKey))).resolves.toMatchObject({ kind: 'user' });
    await expectReason(verifier.verify(await signToken(newKey)), 'unknown_key');

    writeJwksFile(file, jwksOf(oldKey, newKey));
    await expect(verifier.verify(await signToken(newKey))).resolves.toMatchObject({ kind: 'user' });
  });

  it('within the cooldown an unknown kid does not re-read the file', async () => {
    const [oldKey, newKey] = await Promise.all([makeKey('ES256'), makeKey('ES256')]);
    const file = join(tempDir(), 'jwks.json');
    writeJwksFile(file, jwksOf(oldKey));
    const verifier = createJwtVerifier(testAuthConfig({ jwks: { file, cooldownMs: 60_000 } }));
    writeJwksFile(file, jwksOf(oldKey, newKey));
    await expectReason(verifier.verify(await signToken(newKey)), 'unknown_key');
  });

  it('a removed key stops verifying after cacheMaxAgeMs', async () => {
    const [a, b] = await Promise.all([makeKey('ES256'), makeKey('ES256')]);
    const file = join(tempDir(), 'jwks.json');
    writeJwksFile(file, jwksOf(a, b));
    const verifier = createJwtVerifier(testAuthConfig({ jwks: { file, cacheMaxAgeMs: 50 } }));
    await expect(verifier.verify(await signToken(b))).resolves.toMatchObject({ kind: 'user' });
    writeJwksFile(file, jwksOf(a));
    await new Promise((r) => setTimeout(r, 80));
    await expectReason(verifier.verify(await signToken(b)), 'unknown_key');
    await expect(verifier.verify(await signToken(a))).resolves.toMatchObject({ kind: 'user' });
  });

  it('a broken file on re-check keeps the previous keys', async () => {
    const a = await makeKey('ES256');
    const file = join(tempDir(), 'jwks.json');
    writeJwksFile(file, jwksOf(a));
    const verifier = createJwtVerifier(testAuthConfig({ jwks: { file, cacheMaxAgeMs: 1 } }));
    writeJwksFile(file, 'not json' as never);
    await new Promise((r) => setTimeout(r, 5));
    await expect(verifier.verify(await signToken(a))).resolves.toMatchObject({ kind: 'user' });
  });
});

describe('JWT verifier: verified-token cache', () => {
  it('a token that verified is served from the cache until its exp, never past it', async () => {
    const key = await makeKey('ES256');
    const file = join(tempDir(), 'jwks.json');
    writeJwksFile(file, jwksOf(key));
    let clock = Date.now();
    const verifier = createJwtVerifier(testAuthConfig({ jwks: { file }, clockToleranceSec: 0 }), { now: () => clock });
    const exp = Math.floor(clock / 1000) + 120;
    const token = await signToken(key, { claims: { exp } });

    const first = await verifier.verify(token);
    // The same frozen principal: the second call did not verify again.
    expect(await verifier.verify(token)).toBe(first);
    // A token one byte off is verified in full (and refused), not matched in the cache.
    await expectReason(verifier.verify(`${token.slice(0, -2)}${token.endsWith('AA') ? 'AB' : 'AA'}`), 'invalid_signature');

    clock = exp * 1000 + 1_000;
    await expectReason(verifier.verify(token), 'token_expired');
  });

  it('with tokenCache.maxEntries 0 every call verifies', async () => {
    const key = await makeKey('ES256');
    const file = join(tempDir(), 'jwks.json');
    writeJwksFile(file, jwksOf(key));
    const verifier = createJwtVerifier(testAuthConfig({ jwks: { file }, tokenCache: { maxEntries: 0 } }));
    const token = await signToken(key);
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
  });
});
