import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIdp, type RunningDevIdp } from '../../../subgraphs/dev-idp/index.ts';

/**
 * The compose stack's demo identity provider over HTTP: a JWKS of public keys only, tokens
 * that verify against it with the claims asked for, and a clear 4xx with a stable code for
 * every request that is not a token request.
 */
describe('the demo IdP (subgraphs/dev-idp)', () => {
  let idp: RunningDevIdp;
  beforeAll(async () => {
    idp = await startDevIdp({ port: 0, issuer: 'http://dev-idp:4020', audience: 'bff-gateway' });
  });
  afterAll(async () => {
    await idp?.close();
  });

  const post = (body: string, type: string, accept = 'application/json'): Promise<Response> =>
    fetch(idp.tokenUrl, { method: 'POST', headers: { 'content-type': type, accept }, body });
  const form = (fields: Record<string, string | string[]>): string => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) params.append(k, one);
    return params.toString();
  };
  const FORM = 'application/x-www-form-urlencoded';

  it('serves one ES256 public key, with a key id and nothing private', async () => {
    const res = await fetch(idp.jwksUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jwk-set+json');
    const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(typeof keys[0]?.kid).toBe('string');
    expect(keys[0]).not.toHaveProperty('d');
    expect((await fetch(`${idp.url}/health`)).status).toBe(200);
  });

  it('mints, from a form, a bare JWT that verifies against its JWKS with the claims asked for', async () => {
    const res = await post(form({ sub: 'u7', tier: 'premium', role: ['admin', 'support'], scope: ['users:read:email orders:read'], ttl: '600' }), FORM, 'application/jwt');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jwt');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { payload, protectedHeader } = await jwtVerify(await res.text(), createRemoteJWKSet(new URL(idp.jwksUrl)), {
      issuer: 'http://dev-idp:4020',
      audience: 'bff-gateway',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: 'u7', tier: 'premium', roles: ['admin', 'support'], scope: 'users:read:email orders:read' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
    expect(typeof payload.jti).toBe('string');
  });

  it('mints from JSON an OAuth 2 shaped answer, one hour by default', async () => {
    const res = await post(JSON.stringify({ sub: 'u1', roles: ['admin'] }), 'application/json');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(idp.jwksUrl)), { issuer: idp.issuer, audience: idp.audience });
    expect(payload.roles).toEqual(['admin']);
    expect(payload).not.toHaveProperty('tier');
  });

  it('makes new keys at each start', async () => {
    const other = await startDevIdp({ port: 0 });
    try {
      const kid = async (url: string) => ((await (await fetch(url)).json()) as { keys: Array<{ kid: string }> }).keys[0]?.kid;
      expect(await kid(other.jwksUrl)).not.toBe(await kid(idp.jwksUrl));
    } finally {
      await other.close();
    }
  });

  it('refuses what is not a token request with a 4xx and a stable code, naming the problem', async () => {
    const cases: Array<[string, Promise<Response>, number, string, string]> = [
      ['no subject', post(form({ tier: 'free' }), FORM), 400, 'INVALID_TOKEN_REQUEST', 'sub'],
      ['an unknown tier', post(form({ sub: 'u1', tier: 'gold' }), FORM), 400, 'INVALID_TOKEN_REQUEST', 'enterprise'],
      ['an unknown field', post(JSON.stringify({ sub: 'u1', tenant: 'x' }), 'application/json'), 400, 'INVALID_TOKEN_REQUEST', 'tenant'],
      ['a lifetime over a day', post(form({ sub: 'u1', ttl: '86401' }), FORM), 400, 'INVALID_TOKEN_REQUEST', 'ttl'],
      ['a role with a space in JSON', post(JSON.stringify({ sub: 'u1', roles: ['a b'] }), 'application/json'), 400, 'INVALID_TOKEN_REQUEST', 'roles'],
      ['a form with the JSON list name', post(form({ sub: 'u1', roles: 'admin' }), FORM), 400, 'INVALID_TOKEN_REQUEST', 'role='],
      ['a subject given twice', post(form({ sub: ['u1', 'u2'] }), FORM), 400, 'INVALID_TOKEN_REQUEST', 'sub'],
      ['broken JSON', post('{"sub":', 'application/json'), 400, 'BAD_JSON', 'JSON'],
      ['JSON that is not an object', post('[]', 'application/json'), 400, 'INVALID_TOKEN_REQUEST', 'object'],
      ['another media type', post('sub=u1', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE', 'curl -d'],
      ['a body over 16 KiB', post(form({ sub: 'x'.repeat(20_000) }), FORM), 413, 'PAYLOAD_TOO_LARGE', '16384'],
      ['GET on /token', fetch(idp.tokenUrl), 405, 'METHOD_NOT_ALLOWED', 'GET'],
      ['an unknown path', fetch(`${idp.url}/authorize`), 404, 'NOT_FOUND', '/authorize'],
    ];
    for (const [what, pending, status, code, mentions] of cases) {
      const res = await pending;
      expect(res.status, what).toBe(status);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error, what).toBe(code);
      expect(body.message, what).toContain(mentions);
    }
    expect((await fetch(idp.tokenUrl)).headers.get('allow')).toBe('POST');
  });

  it('keeps its error message bounded whatever the request holds', async () => {
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field${i}_${'x'.repeat(40)}`, 'v']));
    const res = await post(JSON.stringify({ sub: 'u1', ...many }), 'application/json');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string };
    expect(body.message.length).toBeLessThanOrEqual(512);
    expect(body.message).toMatch(/…$/);
  });
});
