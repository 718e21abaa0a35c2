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
});

describe('RedisRateLimitStore: one round trip per decision', () => {
  let redis: TestRedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('runs exactly one script call per decision (EVAL once per connection, then EVALSHA)', async () => {
    const store = await openStore(redis.url);
    const admin = new Redis(redis.url);
    try {
      await admin.config('RESETSTAT');
      for (let i = 0; i < 20; i++) await store.consume(`k${i % 3}`, 5, 60_000);
      const stats = await admin.info('commandstats');
      const calls = (name: string): number => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
      expect(calls('eval') + calls('evalsha')).toBe(20);
      expect(calls('eval')).toBeLessThanOrEqual(1);
    } finally {
      await store.close();
      await admin.quit();
    }
  });
});
