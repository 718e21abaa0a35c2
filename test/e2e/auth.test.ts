import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/app.ts';
import { hashApiKey } from '../../gateway/auth/index.ts';
import { startGateway } from '../helpers/gateway.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { startJwksServer, type JwksServer } from '../helpers/jwks-server.ts';
import { hmacToken, makeKey, signToken, TEST_AUDIENCE, TEST_ISSUER, tamperPayload, unsignedToken, type TestKey } from '../helpers/auth-tokens.ts';

/**
 * Authentication through real gateways: a remote JWKS on loopback, a REST upstream that
 * records what reaches it, and the GraphQL door, for every hostile token the issue lists.
 */
describe('JWT and API keys at the edge', () => {
  let jwks: JwksServer;
  let upstream: TestServer;
  let gateway: Gateway;
  let key: TestKey;
  const partnerKey = 'pk_live_0123456789abcdef';

  beforeAll(async () => {
    key = await makeKey('RS256');
    jwks = await startJwksServer([key.publicJwk]);
    upstream = await startTestServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ headers: req.headers }));
    });
    gateway = await startGateway({
      auth: {
        jwks: { url: jwks.url, cooldownMs: 1_000, failureBackoffMs: 200 },
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        devKeys: false,
        apiKeys: [{ id: 'k1', hash: hashApiKey(partnerKey), consumer: 'acme', tier: 'premium', routes: ['orders-api'] }],
        doors: { rest: { kind: 'authenticated' } },
      },
      routes: [
        { name: 'orders-api', prefix: '/orders', targets: [{ url: upstream.url }] },
        { name: 'reports', prefix: '/reports', targets: [{ url: upstream.url }], access: { kind: 'scopes', anyOf: [['reports:read']] } },
      ],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await jwks?.stop();
  });

  const rest = (path: string, headers: Record<string, string> = {}) => fetch(`${gateway.url}/api/v1${path}`, { headers });
  const graphql = (token: string) =>
    fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"query":"{ __typename }"}' });

  it.each([
    ['alg: none', async () => unsignedToken({}, { kid: key.kid }), 'algorithm_not_allowed'],
    ['HS256 signed with the RSA public key', async () => hmacToken(key.publicPem, {}, { kid: key.kid }), 'algorithm_not_allowed'],
    ['expired', async () => signToken(key, { claims: { exp: Math.floor(Date.now() / 1000) - 3600 } }), 'token_expired'],
    ['not yet valid', async () => signToken(key, { claims: { nbf: Math.floor(Date.now() / 1000) + 3600 } }), 'token_not_yet_valid'],
    ['wrong iss', async () => signToken(key, { claims: { iss: 'https://evil.test' } }), 'invalid_issuer'],
    ['wrong aud', async () => signToken(key, { claims: { aud: 'someone-else' } }), 'invalid_audience'],
    ['unknown kid', async () => signToken(await makeKey('RS256', 'never-published')), 'unknown_key'],
    ['tampered payload', async () => tamperPayload(await signToken(key), { sub: 'admin', roles: ['admin'] }), 'invalid_signature'],
    ['garbage', async () => 'not.a.jwt', 'malformed_token'],
  ])('%s → 401 with WWW-Authenticate on REST, UNAUTHENTICATED on /graphql', async (_name, make, reason) => {
    const token = await make();
    const before = upstream.requests.length;
    const r = await rest('/orders/1', { authorization: `Bearer ${token}` });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const problem = (await r.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ code: 'UNAUTHENTICATED', reason });
    // No key material in what the client is told.
    expect(JSON.stringify(problem)).not.toMatch(/BEGIN|-----|"n":|modulus/);
    expect(upstream.requests.length).toBe(before);

    const g = await graphql(token);
    expect(g.status).toBe(401);
    const body = (await g.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
  });

  it('a valid token reaches the upstream as verified identity; spoofed identity headers never do', async () => {
    const token = await signToken(key, { claims: { sub: 'u7', scope: 'orders:read', roles: ['support'] } });
    const r = await rest('/orders/1', { authorization: `Bearer ${token}`, 'x-user-id': 'admin', 'X-User-Roles': 'admin', 'x-consumer': 'bigcorp' });
    expect(r.status).toBe(200);
    const seen = ((await r.json()) as { headers: Record<string, string> }).headers;
    expect(seen['x-user-id']).toBe('u7');
    expect(seen['x-user-scopes']).toBe('orders:read');
    expect(seen['x-user-roles']).toBe('support');
    expect(seen['x-consumer']).toBeUndefined();
  });

  it('anonymous on a door that needs a caller → 401 with a bare Bearer challenge', async () => {
    const r = await rest('/orders/1');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="bff-gateway"');
    expect(await r.json()).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'missing_credentials' });
  });

  it('a route needing a scope: 403 FORBIDDEN without it, 200 with it', async () => {
    const without = await rest('/reports/x', { authorization: `Bearer ${await signToken(key)}` });
    expect(without.status).toBe(403);
    expect(await without.json()).toMatchObject({ code: 'FORBIDDEN', reason: 'insufficient_scope' });
    const withScope = await rest('/reports/x', { authorization: `Bearer ${await signToken(key, { claims: { scope: 'reports:read' } })}` });
    expect(withScope.status).toBe(200);
  });

  it('API keys: the right key on its route works and is forwarded as the consumer; elsewhere or wrong → refused', async () => {
    const ok = await rest('/orders/1', { 'x-api-key': partnerKey });
    expect(ok.status).toBe(200);
    const seen = ((await ok.json()) as { headers: Record<string, string> }).headers;
    expect(seen['x-consumer']).toBe('acme');
    expect(seen['x-consumer-tier']).toBe('premium');

    const otherRoute = await rest('/reports/x', { 'x-api-key': partnerKey });
    expect(otherRoute.status).toBe(403);
    expect(await otherRoute.json()).toMatchObject({ code: 'FORBIDDEN', reason: 'route_not_allowed' });

    const wrong = await rest('/orders/1', { 'x-api-key': 'pk_live_wrong' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalid_api_key' });
  });

  it('JWKS rotation: a token signed with a newly published key verifies without a restart', async () => {
    const next = await makeKey('ES256');
    jwks.addKey(next.publicJwk);
    // The verifier refetches on an unknown kid once its cooldown allows.
    let status = 0;
    for (let i = 0; i < 30 && status !== 200; i++) {
      const r = await rest('/orders/1', { authorization: `Bearer ${await signToken(next)}` });
      await r.arrayBuffer();
      status = r.status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 100));
    }
    expect(status).toBe(200);
  });

  it('JWKS endpoint down: cached keys still verify, unknown keys fail closed', async () => {
    await jwks.stop();
    try {
      const known = await rest('/orders/1', { authorization: `Bearer ${await signToken(key)}` });
      expect(known.status).toBe(200);
      const unknown = await rest('/orders/1', { authorization: `Bearer ${await signToken(await makeKey('RS256'))}` });
      expect(unknown.status).toBe(401);
      expect(((await unknown.json()) as { reason: string }).reason).toMatch(/^(jwks_unavailable|unknown_key)$/);
    } finally {
      await jwks.restart();
    }
  });
});
