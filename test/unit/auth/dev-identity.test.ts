import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { authConfigSchema } from '../../../gateway/auth/config.ts';
import { devJwks, devJwksDocument, loadDevIdentity, signDevToken } from '../../../gateway/auth/dev-identity.ts';
import { createJwtVerifier } from '../../../gateway/auth/jwt-verifier.ts';
import { ConfigError } from '../../../gateway/config/load.ts';
import { UnauthenticatedError } from '../../../gateway/errors/gateway-error.ts';
import { jwksOf, makeKey, signToken, tempDir, TEST_AUDIENCE, TEST_ISSUER, writeJwksFile } from '../../helpers/auth-tokens.ts';

const devConfig = authConfigSchema.parse({});

describe('embedded dev identity provider', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  });

  it('generates an ES256 key on first use, stores it privately, and reuses it', () => {
    const file = join(tempDir(), 'nested', 'dev-identity.json');
    const first = loadDevIdentity(file);
    expect(first.kid).toMatch(/^dev-[A-Za-z0-9_-]{16}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { kid: string; privateJwk: { d?: string } };
    expect(stored.kid).toBe(first.kid);
    expect(stored.privateJwk.d).toBeTypeOf('string');
    expect(loadDevIdentity(file)).toBe(first);
  });

  it('publishes only the public key', () => {
    const file = join(tempDir(), 'dev-identity.json');
    const jwks = devJwks(file);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: loadDevIdentity(file).kid });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const doc = devJwksDocument(file);
    expect(doc.status).toBe(200);
    expect(JSON.parse(doc.body)).toEqual(jwks);
  });

  it('round trip: a dev token verifies with the default config (devKeys on) and maps to the user', async () => {
    const file = join(tempDir(), 'dev-identity.json');
    const token = await signDevToken({ sub: 'u1', scopes: ['read', 'orders:read'], roles: ['admin'], tier: 'premium', expiresIn: '10m' }, file);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: loadDevIdentity(file).kid, typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: 'bff-gateway-dev', aud: 'bff-gateway', sub: 'u1', scope: 'read orders:read', roles: ['admin'], tier: 'premium' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);

    const verifier = createJwtVerifier(devConfig, { devKeyFile: file });
    await expect(verifier.verify(token)).resolves.toMatchObject({
      kind: 'user',
      subject: 'u1',
      scopes: ['read', 'orders:read'],
      roles: ['admin'],
      tier: 'premium',
      issuer: 'bff-gateway-dev',
    });
  });

  it('numeric expiresIn is a lifetime in seconds; issuer and audience can be overridden', async () => {
    const file = join(tempDir(), 'dev-identity.json');
    const token = await signDevToken({ sub: 'u2', expiresIn: 90, issuer: 'other', audience: 'x' }, file);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: 'other', aud: 'x' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(90);
    const error = await createJwtVerifier(devConfig, { devKeyFile: file }).verify(token).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalid_issuer' });
  });

  it('dev tokens are refused when devKeys is false', async () => {
    const file = join(tempDir(), 'dev-identity.json');
    const token = await signDevToken({ sub: 'u1' }, file);
    const verifier = createJwtVerifier(authConfigSchema.parse({ devKeys: false }), { devKeyFile: file });
    const error = await verifier.verify(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error).toMatchObject({ reason: 'unknown_key' });
  });

  it('a token from another checkout (another dev key) is refused', async () => {
    const mine = join(tempDir(), 'dev-identity.json');
    const theirs = join(tempDir(), 'dev-identity.json');
    const token = await signDevToken({ sub: 'u1' }, theirs);
    const error = await createJwtVerifier(devConfig, { devKeyFile: mine }).verify(token).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'unknown_key' });
  });

  it('is refused in production: the verifier stops start-up, and the key is never loaded', () => {
    const file = join(tempDir(), 'dev-identity.json');
    expect(() => createJwtVerifier(devConfig, { devKeyFile: file, env: { NODE_ENV: 'production' } })).toThrow(ConfigError);
    expect(() => createJwtVerifier(devConfig, { devKeyFile: file, env: { NODE_ENV: 'production' } })).toThrow(/auth\.devKeys/);
    process.env.NODE_ENV = 'production';
    expect(() => loadDevIdentity(file)).toThrow(/production/);
  });

  it('a corrupt key file is reported, not silently replaced', () => {
    const file = join(tempDir(), 'dev-identity.json');
    writeFileSync(file, '{ not json');
    expect(() => loadDevIdentity(file)).toThrow(/delete it/);
  });
});

describe('dev keys beside a configured JWKS', () => {
  it('dev tokens and IdP tokens both verify; each kid goes to its own key set', async () => {
    const idpKey = await makeKey('RS256');
    const dir = tempDir();
    const jwksFile = join(dir, 'jwks.json');
    writeJwksFile(jwksFile, jwksOf(idpKey));
    const devFile = join(dir, 'dev-identity.json');
    const config = authConfigSchema.parse({
      issuer: [TEST_ISSUER, 'bff-gateway-dev'],
      audience: [TEST_AUDIENCE, 'bff-gateway'],
      jwks: { file: jwksFile },
    });
    const verifier = createJwtVerifier(config, { devKeyFile: devFile, env: {} });
    await expect(verifier.verify(await signToken(idpKey))).resolves.toMatchObject({ issuer: TEST_ISSUER });
    await expect(verifier.verify(await signDevToken({ sub: 'dev' }, devFile))).resolves.toMatchObject({ subject: 'dev', issuer: 'bff-gateway-dev' });
    // The dev kid on an IdP-signed token does not borrow the dev key.
    const forged = await signToken(await makeKey('ES256', loadDevIdentity(devFile).kid));
    await expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'invalid_signature' });
  });
});
