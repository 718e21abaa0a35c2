import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisRateLimitStore, type RedisStoreOptions } from '../../../gateway/rate-limit/redis-store.ts';
import { requireSharedRedis, uniqueKeyPrefix } from '../../helpers/redis-shared.ts';
import { startRedisServer, type TestRedisServer } from '../../helpers/redis-server.ts';
import { describeStoreContract } from '../../unit/rate-limit/store-contract.ts';

/** Two stores = two gateway instances: separate ioredis connections, one Redis. */
async function openStore(url: string, options: Partial<RedisStoreOptions> = {}): Promise<RedisRateLimitStore> {
  const store = new RedisRateLimitStore({ url, timeoutMs: 1_000, failMode: 'open', keyPrefix: uniqueKeyPrefix('store'), ...options });
  if (!(await store.waitUntilReady(5_000))) throw new Error(`Redis at ${url} not ready`);
  return store;
}

describeStoreContract('redis', async () => openStore(await requireSharedRedis()));

describe('RedisRateLimitStore on a shared Redis', () => {
  let url: string;
  let admin: Redis;
  beforeAll(async () => {
    url = await requireSharedRedis();
    admin = new Redis(url);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('two gateway instances, 300 concurrent requests, limit 100: exactly 100 admitted', async () => {
    const keyPrefix = uniqueKeyPrefix('exact');
    const a = await openStore(url, { keyPrefix });
    const b = await openStore(url, { keyPrefix });
    try {
      const decisions = await Promise.all(
        Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? a : b).consume('c:acme', 100, 60_000)),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
      expect(decisions.filter((d) => d.reason === 'store-unavailable')).toHaveLength(0);
      // what each instance saw adds up: remaining counted 99..0 exactly once each
      const remaining = decisions.filter((d) => d.allowed).map((d) => d.remaining).sort((x, y) => x - y);
      expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps one small key per bucket, prefixed, that expires when the bucket would be full', async () => {
    const keyPrefix = uniqueKeyPrefix('ttl');
    const store = await openStore(url, { keyPrefix });
    try {
      await store.consume('u:alice', 10, 60_000, 3);
      const keys = await admin.keys(`${keyPrefix}*`);
      expect(keys).toEqual([`${keyPrefix}u:alice`]);
      const ttl = await admin.pttl(`${keyPrefix}u:alice`);
      // 3 tokens short at 6000 ms per token → full again in 18000 ms
      expect(ttl).toBeGreaterThan(17_000);
      expect(ttl).toBeLessThanOrEqual(18_000);
      // a denied request writes nothing
      await store.consume('u:bob', 1, 60_000, 2);
      expect(await admin.exists(`${keyPrefix}u:bob`)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('two gateway instances, 300 concurrent calls, window max 100: exactly 100 admitted', async () => {
    const keyPrefix = uniqueKeyPrefix('window-exact');
    const a = await openStore(url, { keyPrefix });
    const b = await openStore(url, { keyPrefix });
    try {
      const decisions = await Promise.all(
        Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? a : b).consumeWindow('field:u:alice', 100, 60_000)),
      );
      expect(decisions.filter((d) => d.reason === 'store-unavailable')).toHaveLength(0);
      expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
      const remaining = decisions.filter((d) => d.allowed).map((d) => d.remaining).sort((x, y) => x - y);
      expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(await admin.zcard(`${keyPrefix}field:u:alice`)).toBe(100);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps a window as one sorted set, a member per admitted call, that expires a window after the newest', async () => {
    const keyPrefix = uniqueKeyPrefix('window-key');
    const store = await openStore(url, { keyPrefix });
    try {
      await store.consumeWindow('u:alice', 10, 60_000, 3);
      await store.consumeWindow('u:alice', 10, 60_000);
      expect(await admin.keys(`${keyPrefix}*`)).toEqual([`${keyPrefix}u:alice`]);
      expect(await admin.type(`${keyPrefix}u:alice`)).toBe('zset');
      expect(await admin.zcard(`${keyPrefix}u:alice`)).toBe(4);
      const ttl = await admin.pttl(`${keyPrefix}u:alice`);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      // a denied call writes nothing
      expect((await store.consumeWindow('u:bob', 1, 60_000, 2)).allowed).toBe(false);
      expect(await admin.exists(`${keyPrefix}u:bob`)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("slides by Redis's clock: a call 30 s old still counts, one 61 s old does not", async () => {
    // The log is seeded with calls dated from Redis's own TIME, with margins of seconds, so
    // no delay on this machine can change the outcome.
    const keyPrefix = uniqueKeyPrefix('window-slide');
    const store = await openStore(url, { keyPrefix });
    try {
      const [sec, usec] = await admin.time();
      const nowUs = Number(sec) * 1_000_000 + Number(usec);
      const key = `${keyPrefix}u:carol`;
      await admin.zadd(key, nowUs - 61_000_000, 'seed-old', nowUs - 30_000_000, 'seed-recent');
      const first = await store.consumeWindow('u:carol', 2, 60_000);
      expect(first).toMatchObject({ allowed: true, remaining: 0 }); // the 61 s old call has left
      expect(await admin.zscore(key, 'seed-old')).toBeNull();
      const second = await store.consumeWindow('u:carol', 2, 60_000);
      expect(second).toMatchObject({ allowed: false, remaining: 0 });
      // room again when the 30 s old call leaves: in (a little under) 30 s, not 60 s
      expect(second.retryAfterMs).toBeGreaterThan(25_000);
      expect(second.retryAfterMs).toBeLessThanOrEqual(30_000);
      expect(second.resetMs).toBeGreaterThan(55_000);
    } finally {
      await store.close();
    }
  });
});

describe('RedisRateLimitStore: one round trip per decision', () => {
  let redis: TestRedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  const calls = (stats: string, name: string): number => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);

  it('runs exactly one script call per decision (EVAL once per connection, then EVALSHA)', async () => {
    const store = await openStore(redis.url);
    const admin = new Redis(redis.url);
    try {
      await admin.config('RESETSTAT');
      for (let i = 0; i < 20; i++) await store.consume(`k${i % 3}`, 5, 60_000);
      for (let i = 0; i < 20; i++) await store.consumeWindow(`w${i % 3}`, 5, 60_000);
      const stats = await admin.info('commandstats');
      expect(calls(stats, 'eval') + calls(stats, 'evalsha')).toBe(40);
      expect(calls(stats, 'eval')).toBeLessThanOrEqual(2); // one per script
    } finally {
      await store.close();
      await admin.quit();
    }
  });

  it('a burst on a fresh connection sends each script once (one EVAL, then EVALSHA), with no NOSCRIPT round trips', async () => {
    const admin = new Redis(redis.url);
    await admin.script('FLUSH');
    await admin.config('RESETSTAT');
    const store = await openStore(redis.url);
    try {
      const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? store.consume('b', 100, 60_000) : store.consumeWindow('w', 100, 60_000))));
      expect(decisions.filter((d) => d.reason === 'store-unavailable')).toHaveLength(0);
      const stats = await admin.info('commandstats');
      expect(calls(stats, 'eval')).toBe(2);
      expect(calls(stats, 'evalsha')).toBe(298);
      expect(await admin.info('errorstats')).not.toMatch(/NOSCRIPT/);
    } finally {
      await store.close();
      await admin.quit();
    }
  });
});
