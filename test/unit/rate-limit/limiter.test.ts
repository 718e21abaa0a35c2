import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ANONYMOUS, type Principal } from '../../../gateway/context/principal.ts';
import { isGatewayError, RateLimitedError } from '../../../gateway/errors/gateway-error.ts';
import { toProblem } from '../../../gateway/errors/render.ts';
import { rateLimitConfigSchema, type RateLimitConfigInput } from '../../../gateway/rate-limit/config.ts';
import {
  createRateLimiter,
  rateLimitedError,
  type RateLimitDecisionEvent,
  type RateLimitRequest,
} from '../../../gateway/rate-limit/limiter.ts';
import { MemoryRateLimitStore } from '../../../gateway/rate-limit/memory-store.ts';
import { RedisRateLimitStore } from '../../../gateway/rate-limit/redis-store.ts';
import type { Decision, FailMode, RateLimitStore } from '../../../gateway/rate-limit/store.ts';
import { rateLimitFields } from '../../helpers/ratelimit-fields.ts';

const user = (subject: string, tier = 'free'): Principal => ({ kind: 'user', subject, tier, scopes: [], roles: [] });
const consumer = (name: string, tier = 'standard'): Principal => ({ kind: 'consumer', consumer: name, tier, scopes: [], roles: [] });

/** A memory store that records what the limiter asked for. */
class RecordingStore extends MemoryRateLimitStore {
  readonly calls: Array<{ key: string; limit: number; windowMs: number }> = [];
  override async consume(key: string, limit: number, windowMs: number, cost = 1): Promise<Decision> {
    this.calls.push({ key, limit, windowMs });
    return super.consume(key, limit, windowMs, cost);
  }
}

const stores: RateLimitStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** A real Redis store whose Redis is not there (a loopback port nobody listens on): every decision fails. */
async function unreachableRedis(failMode: FailMode): Promise<RedisRateLimitStore> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
  const store = new RedisRateLimitStore({ url: `redis://127.0.0.1:${port}`, timeoutMs: 1_000, failMode, keyPrefix: 'unit:' });
  stores.push(store);
  return store;
}

function setup(input: RateLimitConfigInput = {}) {
  const store = new RecordingStore();
  stores.push(store);
  const events: RateLimitDecisionEvent[] = [];
  const limiter = createRateLimiter(rateLimitConfigSchema.parse(input), store, { onDecision: (e) => events.push(e) });
  return { store, limiter, events };
}

const req = (principal: Principal, extra: Partial<RateLimitRequest> = {}): RateLimitRequest => ({
  principal,
  clientIp: '198.51.100.7',
  door: 'graphql',
  ...extra,
});

describe('createRateLimiter: who is counted, against what', () => {
  it('keys users by sub, consumers by name, anonymous callers by IP (IPv6 by /64)', async () => {
    const { limiter, store } = setup();
    expect((await limiter.check(req(user('alice')))).identity).toBe('u:alice');
    expect((await limiter.check(req(consumer('acme')))).identity).toBe('c:acme');
    expect((await limiter.check(req(ANONYMOUS))).identity).toBe('ip:198.51.100.7');
    expect((await limiter.check(req(ANONYMOUS, { clientIp: '2001:db8:0:1::5' }))).identity).toBe('ip:2001:db8:0:1:0:0:0:0/64');
    expect(store.calls.map((c) => c.key)).toEqual([
      'global:u:alice',
      'global:c:acme',
      'global:ip:198.51.100.7',
      'global:ip:2001:db8:0:1:0:0:0:0/64',
    ]);
  });

  it('uses the tier limit, the anonymous tier for anonymous callers and the fallback tier for unknown tiers', async () => {
    const { limiter, store } = setup({ windowMs: 1_000, tiers: { premium: { limit: 7, windowMs: 5_000 } }, fallbackTier: 'standard' });
    const premium = await limiter.check(req(user('p', 'premium')));
    expect(premium.tier).toBe('premium');
    const anon = await limiter.check(req(ANONYMOUS));
    expect(anon.tier).toBe('anonymous');
    const odd = await limiter.check(req(user('x', 'platinum')));
    expect(odd.tier).toBe('standard');
    expect(store.calls.map(({ limit, windowMs }) => [limit, windowMs])).toEqual([
      [7, 5_000],
      [1_200, 1_000],
      [1_200, 1_000],
    ]);
  });

  it('gives a door its own bucket when configured, and a named route one that wins over the door', async () => {
    const { limiter, store } = setup({
      doors: { rest: { limit: 50, tiers: { enterprise: { limit: 500 } } } },
      routes: { notifications: { limit: 5, windowMs: 10_000 } },
    });
    await limiter.check(req(user('a'), { door: 'rest' }));
    await limiter.check(req(user('a', 'enterprise'), { door: 'rest' }));
    await limiter.check(req(user('a'), { door: 'rest', route: 'notifications' }));
    await limiter.check(req(user('a'), { door: 'rest', route: 'unlisted' }));
    await limiter.check(req(user('a'), { door: 'bff' }));
    expect(store.calls).toEqual([
      { key: 'door:rest:u:a', limit: 50, windowMs: 60_000 },
      { key: 'door:rest:u:a', limit: 500, windowMs: 60_000 },
      { key: 'route:notifications:u:a', limit: 5, windowMs: 10_000 },
      { key: 'door:rest:u:a', limit: 50, windowMs: 60_000 },
      { key: 'global:u:a', limit: 300, windowMs: 60_000 },
    ]);
  });

  it('draws an expensive check from the expensive bucket alone (the request bucket is drawn at the edge)', async () => {
    const { limiter, store } = setup({ tiers: { free: { limit: 100 } }, expensive: { limit: 2 } });
    const first = await limiter.check(req(user('a'), { expensive: true }));
    expect(first).toMatchObject({ allowed: true, scope: 'expensive' });
    expect(rateLimitFields(first.headers).limit.get('expensive')).toMatchObject({ r: 1 });
    expect(store.calls.map((c) => c.key)).toEqual(['expensive:u:a']);
    await limiter.check(req(user('a'), { expensive: true }));
    const third = await limiter.check(req(user('a'), { expensive: true }));
    expect(third).toMatchObject({ allowed: false, scope: 'expensive', reason: 'limit-exceeded' });
    const cheap = await limiter.check(req(user('a')));
    expect(cheap).toMatchObject({ allowed: true, scope: 'global' });
    expect(rateLimitFields(cheap.headers).limit.get('global')).toMatchObject({ r: 99 }); // only the plain check drew from the request bucket
  });
});

describe('createRateLimiter: what the client hears', () => {
  it('sends draft-11 RateLimit-Policy and RateLimit on every response, and on a denial Retry-After equal to t', async () => {
    const { limiter } = setup({ tiers: { free: { limit: 2, windowMs: 10_000 } } });
    const first = await limiter.check(req(user('a')));
    // One request back every 5 s: after the first of two, one remains and the next is 5 s away.
    expect(first.headers).toEqual({ 'ratelimit-policy': '"global";q=2;w=10', ratelimit: '"global";r=1;t=5' });
    await limiter.check(req(user('a')));
    const denied = await limiter.check(req(user('a')));
    expect(denied.allowed).toBe(false);
    expect(denied.headers).toEqual({ 'ratelimit-policy': '"global";q=2;w=10', ratelimit: '"global";r=0;t=5', 'retry-after': '5' });
  });

  it('t is the seconds until the bucket admits again, the same as Retry-After, not the time until it is full', async () => {
    // 5 a minute: one back every 12 s. The old RateLimit-Reset said 60 here, Retry-After 12.
    const { limiter } = setup({ tiers: { free: { limit: 5, windowMs: 60_000 } } });
    const admitted = [];
    for (let i = 0; i < 5; i++) admitted.push(await limiter.check(req(user('a'))));
    expect(admitted.map((r) => rateLimitFields(r.headers).limit.get('global'))).toEqual([
      { r: 4, t: 12 },
      { r: 3, t: 12 },
      { r: 2, t: 12 },
      { r: 1, t: 12 },
      { r: 0, t: 12 },
    ]);
    const denied = await limiter.check(req(user('a')));
    const fields = rateLimitFields(denied.headers);
    expect(fields.policy.get('global')).toEqual({ q: 5, w: 60 });
    expect(fields.limit.get('global')).toEqual({ r: 0, t: 12 });
    expect(denied.headers['retry-after']).toBe('12');
    expect(rateLimitedError(denied).headers['retry-after']).toBe('12');
  });

  it('names each policy by its bucket, as a Structured Field String (quotes escaped)', async () => {
    const { limiter } = setup({ doors: { bff: { limit: 9 } }, routes: { 'say "hi"': { limit: 3, windowMs: 1_500 } } });
    const door = await limiter.check(req(user('a'), { door: 'bff' }));
    expect(door.headers['ratelimit-policy']).toBe('"door:bff";q=9;w=60');
    const route = await limiter.check(req(user('a'), { door: 'rest', route: 'say "hi"' }));
    expect(route.headers['ratelimit-policy']).toBe('"route:say \\"hi\\"";q=3;w=2');
    expect(rateLimitFields(route.headers).policy.get('route:say "hi"')).toEqual({ q: 3, w: 2 });
  });

  it('a rate-limited route name must be printable ASCII (it names the policy)', () => {
    expect(rateLimitConfigSchema.safeParse({ routes: { 'café': { limit: 1 } } }).success).toBe(false);
  });

  it('legacyHeaders adds the old RateLimit-Limit/-Remaining/-Reset, with Reset equal to t and Retry-After', async () => {
    const { limiter } = setup({ legacyHeaders: true, tiers: { free: { limit: 2, windowMs: 10_000 } } });
    expect((await limiter.check(req(user('a')))).headers).toEqual({
      'ratelimit-policy': '"global";q=2;w=10',
      ratelimit: '"global";r=1;t=5',
      'ratelimit-limit': '2',
      'ratelimit-remaining': '1',
      'ratelimit-reset': '5',
    });
    await limiter.check(req(user('a')));
    expect((await limiter.check(req(user('a')))).headers).toMatchObject({ 'ratelimit-remaining': '0', 'ratelimit-reset': '5', 'retry-after': '5' });
    expect(rateLimitConfigSchema.parse({}).legacyHeaders).toBe(false);
  });

  it('turns a denial into a 429 RateLimitedError carrying the headers', async () => {
    const { limiter } = setup({ tiers: { anonymous: { limit: 1 } } });
    await limiter.check(req(ANONYMOUS));
    const denied = await limiter.check(req(ANONYMOUS));
    const error = rateLimitedError(denied);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(isGatewayError(error)).toBe(true);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.status).toBe(429);
    expect(error.headers).toMatchObject({ 'retry-after': '60', 'ratelimit-policy': '"global";q=1;w=60', ratelimit: '"global";r=0;t=60' });
    expect(toProblem(error)).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: 60, reason: 'limit-exceeded', scope: 'global' });
  });

  it('reports every decision to onDecision', async () => {
    const { limiter, events } = setup({ tiers: { premium: { limit: 1 } } });
    await limiter.check(req(user('a', 'premium'), { door: 'bff' }));
    await limiter.check(req(user('a', 'premium'), { door: 'bff' }));
    expect(events).toEqual([
      { tier: 'premium', allowed: true, door: 'bff', scope: 'global', reason: 'within-limit' },
      { tier: 'premium', allowed: false, door: 'bff', scope: 'global', reason: 'limit-exceeded' },
    ]);
  });

  it('a throwing metrics hook never fails the request', async () => {
    const store = new MemoryRateLimitStore();
    stores.push(store);
    const limiter = createRateLimiter(rateLimitConfigSchema.parse({}), store, {
      onDecision: () => {
        throw new Error('metrics down');
      },
    });
    expect((await limiter.check(req(ANONYMOUS))).allowed).toBe(true);
  });

  it('when disabled, admits everything without touching the store or sending headers', async () => {
    const { limiter, store } = setup({ enabled: false, tiers: { anonymous: { limit: 1 } } });
    for (let i = 0; i < 5; i++) {
      const r = await limiter.check(req(ANONYMOUS));
      expect(r).toMatchObject({ allowed: true, scope: 'disabled', headers: {} });
    }
    expect(store.calls).toHaveLength(0);
  });

  it('fail-closed store errors become a 429 that says the limit could not be checked', async () => {
    const limiter = createRateLimiter(rateLimitConfigSchema.parse({}), await unreachableRedis('closed'));
    const r = await limiter.check(req(ANONYMOUS));
    expect(r).toMatchObject({ allowed: false, reason: 'store-unavailable', headers: { 'retry-after': '1' } });
    const error = rateLimitedError(r);
    expect(error.extensions).toMatchObject({ reason: 'store-unavailable' });
    expect(error.message).toMatch(/could not be checked/);
  });

  it('fail-open store errors admit without inventing a quota', async () => {
    const r = await createRateLimiter(rateLimitConfigSchema.parse({}), await unreachableRedis('open')).check(req(ANONYMOUS));
    expect(r).toMatchObject({ allowed: true, reason: 'store-unavailable', headers: {} });
  });
});
