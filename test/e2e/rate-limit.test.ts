import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/app.ts';
import type { GatewayConfigInput } from '../../gateway/config/index.ts';
import { deepMerge, type PlainObject } from '../../gateway/config/merge.ts';
import type { RateLimitDecisionEvent } from '../../gateway/rate-limit/index.ts';
import { startGateway } from '../helpers/gateway.ts';
import { sampleValue, scrape } from '../helpers/prometheus-text.ts';
import { requireSharedRedis, uniqueKeyPrefix } from '../helpers/redis-shared.ts';
import { startRedisServer, type TestRedisServer } from '../helpers/redis-server.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { signDevToken } from '../../gateway/auth/index.ts';
import { rateLimitFields } from '../helpers/ratelimit-fields.ts';

/** Rate limits through real gateways, with a real Redis between them. */

/** A gateway on `redisUrl` with an `echo` REST route; `extra` merges in deeply (it may set one `rateLimit.redis` key and keep the rest). */
function limitedConfig(redisUrl: string, keyPrefix: string, upstreamUrl: string, extra: GatewayConfigInput = {}): GatewayConfigInput {
  const base: GatewayConfigInput = {
    redis: { url: redisUrl },
    rateLimit: {
      tiers: { anonymous: { limit: 100, windowMs: 60_000 } },
      redis: { keyPrefix, timeoutMs: 200 },
    },
    routes: [{ name: 'echo', prefix: '/echo', targets: [{ url: upstreamUrl }] }],
  };
  return deepMerge(base as PlainObject, extra as PlainObject) as GatewayConfigInput;
}

describe('rate limits shared through Redis', () => {
  let upstream: TestServer;
  beforeAll(async () => {
    await requireSharedRedis();
    upstream = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  afterAll(async () => {
    await upstream?.close();
  });

  it('two gateway instances, 300 concurrent requests for one consumer, limit 100 → exactly 100 admitted', async () => {
    const prefix = uniqueKeyPrefix('e2e-exact');
    // One consumer: the same verified subject on both instances, on the premium tier. GCRA
    // refills one token per window/limit, so the window is long enough (one token per 36 s)
    // that no token comes back while the burst is in flight on a busy CI machine. This test
    // is about exactness, not latency: both gateways and all 300 clients share this one
    // process, so the store gets a deadline no burst comes near, and every decision is
    // checked to have come from Redis (a timed-out one would fail open and admit extra).
    const PREMIUM_LIMIT = 100;
    const overrides = { rateLimit: { tiers: { premium: { limit: PREMIUM_LIMIT, windowMs: 3_600_000 } }, redis: { timeoutMs: 5_000 } } };
    const decisions: RateLimitDecisionEvent[] = [];
    const options = { onRateLimitDecision: (e: RateLimitDecisionEvent) => decisions.push(e) };
    const a = await startGateway(limitedConfig('redis://127.0.0.1:6379', prefix, upstream.url, overrides), options);
    const b = await startGateway(limitedConfig('redis://127.0.0.1:6379', prefix, upstream.url, overrides), options);
    const token = await signDevToken({ sub: 'consumer-exact', tier: 'premium' });
    try {
      const before = upstream.requests.length;
      const statuses = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          fetch(`${(i % 2 ? a : b).url}/api/v1/echo/x`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => (await r.arrayBuffer(), r.status)),
        ),
      );
      expect(decisions.filter((d) => d.reason === 'store-unavailable')).toEqual([]);
      expect(decisions).toHaveLength(300);
      expect(decisions.every((d) => d.tier === 'premium' && d.door === 'rest')).toBe(true);
      expect(statuses.filter((s) => s === 200)).toHaveLength(PREMIUM_LIMIT);
      expect(statuses.filter((s) => s === 429)).toHaveLength(300 - PREMIUM_LIMIT);
      expect(upstream.requests.length - before).toBe(PREMIUM_LIMIT);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('429 carries Retry-After and the RateLimit fields (REST: problem+json; GraphQL: RATE_LIMITED), allowed responses carry the RateLimit fields', async () => {
    const prefix = uniqueKeyPrefix('e2e-headers');
    const gw = await startGateway(
      limitedConfig('redis://127.0.0.1:6379', prefix, upstream.url, {
        rateLimit: { tiers: { anonymous: { limit: 2, windowMs: 60_000 } }, redis: { keyPrefix: prefix } },
      }),
    );
    try {
      const ok = await fetch(`${gw.url}/api/v1/echo/x`);
      expect(ok.status).toBe(200);
      expect(rateLimitFields(ok.headers).policy.get('global')).toEqual({ q: 2, w: 60 });
      expect(rateLimitFields(ok.headers).limit.get('global')).toEqual({ r: 1, t: 30 });
      await (await fetch(`${gw.url}/api/v1/echo/x`)).arrayBuffer();

      const rest = await fetch(`${gw.url}/api/v1/echo/x`);
      expect(rest.status).toBe(429);
      expect(rest.headers.get('content-type')).toBe('application/problem+json');
      const { r, t } = rateLimitFields(rest.headers).limit.get('global') ?? {};
      expect(r).toBe(0);
      expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(rest.headers.get('retry-after')).toBe(String(t));
      expect(await rest.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });

      const gql = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(gql.status).toBe(429);
      expect(gql.headers.get('retry-after')).not.toBeNull();
      const body = (await gql.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(body.errors[0]?.extensions.code).toBe('RATE_LIMITED');
    } finally {
      await gw.close();
    }
  });
});

describe('a dead Redis', () => {
  let redis: TestRedisServer;
  let upstream: TestServer;
  let gateway: Gateway;
  const storeErrors: Error[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    upstream = await startTestServer((_req, res) => void res.writeHead(200).end("ok"));
    gateway = await startGateway(
      limitedConfig(redis.url, uniqueKeyPrefix('e2e-dead'), upstream.url, {
        // A dead Redis refuses at once, so failing open never waits on the deadline: a long
        // one keeps a merely slow Redis (a busy CI box) from looking dead while it is alive.
        // Were dead-Redis decisions ever to wait for it, six of them would outlast the test.
        rateLimit: { tiers: { anonymous: { limit: 3, windowMs: 60_000 } }, redis: { timeoutMs: 5_000, failMode: 'open', maxReconnectDelayMs: 100 } },
      }),
      { onRateLimitStoreError: (e) => storeErrors.push(e) },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await redis?.stop();
  });

  it('fails open while Redis is down (and reports it), and enforces again once it is back, without a restart', async () => {
    const statuses = async (n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = await fetch(`${gateway.url}/api/v1/echo/x`);
        await r.arrayBuffer();
        out.push(r.status);
      }
      return out;
    };
    /** What /metrics says about this gateway's rate limiting (anonymous callers on the REST door). */
    const counters = async () => {
      const families = await scrape(gateway.url);
      const decisions = (decision: string) => sampleValue(families, 'rate_limit_decisions_total', { tier: 'anonymous', door: 'rest', decision });
      return {
        allowed: decisions('allowed'),
        denied: decisions('denied'),
        storeErrors: sampleValue(families, 'rate_limit_store_errors_total', { store: 'redis' }),
      };
    };
    expect(await counters()).toEqual({ allowed: 0, denied: 0, storeErrors: 0 });
    expect(await statuses(4)).toEqual([200, 200, 200, 429]);
    expect(await counters()).toEqual({ allowed: 3, denied: 1, storeErrors: 0 });

    await redis.stop();
    expect(await statuses(6)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(storeErrors.length).toBeGreaterThan(0);
    const down = await counters();
    // fail-open: the six count as allowed, nothing more is denied, and each of the six
    // failed decisions is a store error (plus any failed reconnection attempts)
    expect(down.allowed).toBe(3 + 6);
    expect(down.denied).toBe(1);
    expect(down.storeErrors).toBeGreaterThanOrEqual(6);

    await redis.restart();
    // Reconnection is the client's own; wait (bounded) until a decision is enforced again.
    let enforced = false;
    let admittedMeanwhile = 0;
    for (let i = 0; i < 50 && !enforced; i++) {
      const got = await statuses(1);
      enforced = got[0] === 429;
      if (!enforced) {
        admittedMeanwhile++;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(enforced).toBe(true);
    const back = await counters();
    expect(back.denied).toBe(2); // the one 429 we stopped at
    expect(back.allowed).toBe(down.allowed + admittedMeanwhile);
    expect(back.storeErrors).toBeGreaterThanOrEqual(down.storeErrors);
  });
});
