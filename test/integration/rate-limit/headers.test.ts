import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import { signDevToken } from '../../../gateway/auth/index.ts';
import type { GatewayConfigInput } from '../../../gateway/config/index.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { rateLimitFields } from '../../helpers/ratelimit-fields.ts';

/**
 * The draft-11 rate-limit fields on every door that limits, through a real gateway on
 * loopback: `RateLimit-Policy: "<policy>";q=<quota>;w=<window>` and
 * `RateLimit: "<policy>";r=<remaining>;t=<seconds>` on each answer, parsed as RFC 9651
 * Lists; on a 429 `Retry-After` is `t`. An expensive GraphQL operation draws from a second
 * bucket, and the answer lists both policies.
 */

const QUOTA = 3;
const WINDOW_S = 60;

type Door = { name: string; send: (token: string) => Promise<Response> };

describe('RateLimit fields on every door', () => {
  let upstream: TestServer;
  let gateway: Gateway;
  let expensive: Gateway;
  let legacy: Gateway;

  beforeAll(async () => {
    upstream = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
    });
    const routes: GatewayConfigInput['routes'] = [{ name: 'echo', prefix: '/echo', targets: [{ url: upstream.url }] }];
    gateway = await startGateway({ routes, rateLimit: { tiers: { free: { limit: QUOTA, windowMs: WINDOW_S * 1000 } } } });
    // Every operation with a field is expensive here: one a minute, besides 100 requests.
    expensive = await startGateway({
      routes,
      rateLimit: { tiers: { free: { limit: 100, windowMs: 60_000 } }, expensive: { limit: 1, windowMs: 60_000, costThreshold: 1 } },
    });
    legacy = await startGateway({ routes, rateLimit: { legacyHeaders: true, tiers: { free: { limit: QUOTA, windowMs: WINDOW_S * 1000 } } } });
  });
  afterAll(async () => {
    await Promise.all([gateway?.close(), expensive?.close(), legacy?.close()]);
    await upstream?.close();
  });

  const graphql = (base: () => string, path: string, query: string) => (token: string) =>
    fetch(`${base()}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
  const doors: Door[] = [
    { name: '/graphql', send: graphql(() => gateway.url, '/graphql', '{ __typename }') },
    { name: '/bff/web/graphql', send: graphql(() => gateway.url, '/bff/web/graphql', '{ __typename }') },
    {
      name: '/api/v1',
      send: (token) => fetch(`${gateway.url}/api/v1/echo/x`, { headers: { authorization: `Bearer ${token}` } }),
    },
  ];

  for (const door of doors) {
    it(`${door.name}: q and w on every answer, r counting down, and a 429 whose Retry-After is t`, async () => {
      const token = await signDevToken({ sub: `headers-${door.name}`, tier: 'free' });
      const admitted: Array<{ r: number | undefined; t: number | undefined }> = [];
      for (let i = 0; i < QUOTA; i++) {
        const res = await door.send(token);
        await res.arrayBuffer();
        expect(res.status).toBe(200);
        const fields = rateLimitFields(res.headers);
        expect([...fields.policy]).toEqual([['global', { q: QUOTA, w: WINDOW_S }]]);
        const { r, t } = fields.limit.get('global') ?? {};
        admitted.push({ r, t });
        expect(res.headers.get('retry-after')).toBeNull();
        expect(res.headers.get('ratelimit-limit')).toBeNull();
      }
      // One request back every 20 s.
      expect(admitted).toEqual([
        { r: 2, t: 20 },
        { r: 1, t: 20 },
        { r: 0, t: 20 },
      ]);

      const denied = await door.send(token);
      expect(denied.status).toBe(429);
      const fields = rateLimitFields(denied.headers);
      expect([...fields.policy]).toEqual([['global', { q: QUOTA, w: WINDOW_S }]]);
      const t = fields.limit.get('global')?.t ?? 0;
      expect(fields.limit.get('global')?.r).toBe(0);
      // 20 s less the time the requests took, rounded up.
      expect(t).toBeGreaterThanOrEqual(19);
      expect(t).toBeLessThanOrEqual(20);
      expect(denied.headers.get('retry-after')).toBe(String(t));
      const body = (await denied.json()) as { retryAfterSeconds?: number; errors?: Array<{ extensions: { code: string; retryAfterSeconds: number } }> };
      const extensions = door.name === '/api/v1' ? body : body.errors?.[0]?.extensions;
      expect(extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: t });
    });
  }

  for (const [door, path, query] of [
    ['/graphql', '/graphql', '{ topProducts(first: 2) { id } }'],
    ['/bff/web/graphql', '/bff/web/graphql', '{ dashboard { profile { id } } }'],
  ] as const) {
    it(`${door}: an expensive operation lists the request bucket's policy and the expensive one; refused by the second, Retry-After is its t`, async () => {
      const token = await signDevToken({ sub: `expensive-${door}`, tier: 'free' });
      const send = graphql(() => expensive.url, path, query);
      const first = await send(token);
      await first.arrayBuffer();
      expect(first.status).toBe(200);
      const one = rateLimitFields(first.headers);
      expect([...one.policy]).toEqual([
        ['global', { q: 100, w: 60 }],
        ['expensive', { q: 1, w: 60 }],
      ]);
      expect([...one.limit]).toEqual([
        ['global', { r: 99, t: 1 }],
        ['expensive', { r: 0, t: 60 }],
      ]);

      const second = await send(token);
      expect(second.status).toBe(429);
      const two = rateLimitFields(second.headers);
      expect([...two.policy.keys()]).toEqual(['global', 'expensive']);
      expect(two.limit.get('global')).toMatchObject({ r: 98 });
      const t = two.limit.get('expensive')?.t ?? 0;
      expect(two.limit.get('expensive')?.r).toBe(0);
      expect(t).toBeGreaterThanOrEqual(59);
      expect(t).toBeLessThanOrEqual(60);
      expect(second.headers.get('retry-after')).toBe(String(t));
      const body = (await second.json()) as { errors: Array<{ extensions: { code: string; scope: string; retryAfterSeconds: number } }> };
      expect(body.errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'expensive', retryAfterSeconds: t });
    });
  }

  it('legacyHeaders: the old RateLimit-Limit/-Remaining/-Reset as well, Reset equal to t and to Retry-After', async () => {
    const token = await signDevToken({ sub: 'legacy', tier: 'free' });
    const send = (): Promise<Response> => fetch(`${legacy.url}/api/v1/echo/x`, { headers: { authorization: `Bearer ${token}` } });
    const ok = await send();
    await ok.arrayBuffer();
    expect(rateLimitFields(ok.headers).limit.get('global')).toEqual({ r: 2, t: 20 });
    expect([ok.headers.get('ratelimit-limit'), ok.headers.get('ratelimit-remaining'), ok.headers.get('ratelimit-reset')]).toEqual(['3', '2', '20']);
    for (let i = 0; i < 2; i++) await (await send()).arrayBuffer();
    const denied = await send();
    await denied.arrayBuffer();
    expect(denied.status).toBe(429);
    const t = rateLimitFields(denied.headers).limit.get('global')?.t;
    expect(denied.headers.get('ratelimit-reset')).toBe(String(t));
    expect(denied.headers.get('retry-after')).toBe(String(t));
    expect(denied.headers.get('ratelimit-remaining')).toBe('0');
  });
});
