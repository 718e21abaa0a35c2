import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../gateway/auth/api-keys.ts';
import { createAuthenticator, type Authenticate } from '../../../gateway/auth/authenticate.ts';
import { ANONYMOUS } from '../../../gateway/context/principal.ts';
import { UnauthenticatedError } from '../../../gateway/errors/gateway-error.ts';
import { jwksOf, makeKey, signToken, tempDir, testAuthConfig, writeJwksFile, type TestKey } from '../../helpers/auth-tokens.ts';

const API_KEY = 'partner_key_0123456789abcdef';

async function reason(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return (error as UnauthenticatedError).reason;
}

describe('authenticate(headers)', () => {
  let key: TestKey;
  let authenticate: Authenticate;
  let token: string;

  beforeAll(async () => {
    key = await makeKey('ES256');
    const file = join(tempDir(), 'jwks.json');
    writeJwksFile(file, jwksOf(key));
    authenticate = createAuthenticator(
      testAuthConfig({
        jwks: { file },
        apiKeys: [{ id: 'p1', hash: hashApiKey(API_KEY), consumer: 'partner', tier: 'enterprise', routes: ['orders'] }],
      }),
    );
    token = await signToken(key, { claims: { sub: 'alice', scope: 'read' } });
  });

  it('no credentials → anonymous', async () => {
    await expect(authenticate({})).resolves.toBe(ANONYMOUS);
    await expect(authenticate({ cookie: 'a=b' })).resolves.toEqual({ kind: 'anonymous' });
  });

  it('Bearer token → user (scheme case-insensitive)', async () => {
    await expect(authenticate({ authorization: `Bearer ${token}` })).resolves.toMatchObject({ kind: 'user', subject: 'alice', scopes: ['read'] });
    await expect(authenticate({ authorization: `bearer ${token}` })).resolves.toMatchObject({ kind: 'user' });
    await expect(authenticate({ authorization: `BEARER  ${token} ` })).resolves.toMatchObject({ kind: 'user' });
  });

  it('X-API-Key → consumer with its routes', async () => {
    await expect(authenticate({ 'x-api-key': API_KEY })).resolves.toMatchObject({
      kind: 'consumer',
      consumer: 'partner',
      tier: 'enterprise',
      routes: ['orders'],
      apiKeyId: 'p1',
    });
  });

  it('a wrong API key → invalid_api_key (never anonymous)', async () => {
    expect(await reason(authenticate({ 'x-api-key': 'wrong' }))).toBe('invalid_api_key');
    expect(await reason(authenticate({ 'x-api-key': '' }))).toBe('invalid_api_key');
    expect(await reason(authenticate({ 'x-api-key': [API_KEY, API_KEY] }))).toBe('invalid_api_key');
  });

  it('a malformed Authorization header → malformed_token', async () => {
    for (const authorization of ['', 'Bearer', 'Bearer ', `Basic ${Buffer.from('a:b').toString('base64')}`, `Token ${token}`, `Bearer ${token} extra`, `Bearer${token}`, 'Bearer a"b']) {
      expect(await reason(authenticate({ authorization }))).toBe('malformed_token');
    }
  });

  it('a bad Bearer token fails with its own reason', async () => {
    expect(await reason(authenticate({ authorization: 'Bearer not-a-jwt' }))).toBe('malformed_token');
    const expired = await signToken(key, { claims: { exp: Math.floor(Date.now() / 1000) - 3600 } });
    expect(await reason(authenticate({ authorization: `Bearer ${expired}` }))).toBe('token_expired');
  });

  it('both present → the JWT decides; an invalid JWT does not fall back to the API key', async () => {
    await expect(authenticate({ authorization: `Bearer ${token}`, 'x-api-key': API_KEY })).resolves.toMatchObject({ kind: 'user', subject: 'alice' });
    await expect(authenticate({ authorization: `Bearer ${token}`, 'x-api-key': 'wrong' })).resolves.toMatchObject({ kind: 'user' });
    expect(await reason(authenticate({ authorization: 'Bearer x.y.z', 'x-api-key': API_KEY }))).toBe('malformed_token');
    const forged = await signToken(await makeKey('ES256', key.kid));
    expect(await reason(authenticate({ authorization: `Bearer ${forged}`, 'x-api-key': API_KEY }))).toBe('invalid_signature');
  });
});
