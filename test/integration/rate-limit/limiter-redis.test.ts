import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../gateway/context/principal.ts';
import { rateLimitConfigSchema } from '../../../gateway/rate-limit/config.ts';
import { createRateLimitStore } from '../../../gateway/rate-limit/index.ts';
import { createRateLimiter } from '../../../gateway/rate-limit/limiter.ts';
import { RedisRateLimitStore } from '../../../gateway/rate-limit/redis-store.ts';
import type { RateLimitStore } from '../../../gateway/rate-limit/store.ts';
import { createLogger } from '../../../gateway/telemetry/logger.ts';
import { requireSharedRedis, uniqueKeyPrefix } from '../../helpers/redis-shared.ts';
import { rateLimitFields } from '../../helpers/ratelimit-fields.ts';

/** The acceptance scenario, end to end through the limiter: two gateway instances, one Redis. */
describe('rate limiter on Redis, two gateway instances', () => {
  const config = rateLimitConfigSchema.parse({
    tiers: { standard: { limit: 100, windowMs: 60_000 } },
    redis: { keyPrefix: uniqueKeyPrefix('limiter'), timeoutMs: 1_000 },
  });
  const stores: RateLimitStore[] = [];

  beforeAll(async () => {
    const redisUrl = await requireSharedRedis();
    for (let i = 0; i < 2; i++) {
      const store = createRateLimitStore(config, { redisUrl, logger: createLogger('silent'), onStoreError: () => undefined });
      expect(store).toBeInstanceOf(RedisRateLimitStore);
      expect(await (store as RedisRateLimitStore).waitUntilReady(5_000)).toBe(true);
      stores.push(store);
    }
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  it('admits exactly 100 of 300 concurrent requests from one consumer, with consistent headers', async () => {
    const [a, b] = stores.map((s) => createRateLimiter(config, s));
    const acme: Principal = { kind: 'consumer', consumer: 'acme', tier: 'standard', scopes: [], roles: [] };
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? a! : b!).check({ principal: acme, clientIp: '192.0.2.1', door: 'rest' })),
    );
    const admitted = results.filter((r) => r.allowed);
    const denied = results.filter((r) => !r.allowed);
    expect(admitted).toHaveLength(100);
    expect(denied).toHaveLength(200);
    for (const r of results) expect(rateLimitFields(r.headers).policy.get('global')).toEqual({ q: 100, w: 60 });
    for (const r of admitted) {
      // One request back every 600 ms: never more than a second away.
      expect(rateLimitFields(r.headers).limit.get('global')?.t).toBe(1);
      expect(r.headers['retry-after']).toBeUndefined();
    }
    for (const r of denied) {
      expect(r.reason).toBe('limit-exceeded');
      const { r: remaining, t } = rateLimitFields(r.headers).limit.get('global') ?? {};
      expect(remaining).toBe(0);
      // Redis' clock, the same numbers as the memory store: Retry-After is t.
      expect(t).toBeGreaterThanOrEqual(1);
      expect(r.headers['retry-after']).toBe(String(t));
    }
    expect(new Set(admitted.map((r) => rateLimitFields(r.headers).limit.get('global')?.r))).toHaveProperty('size', 100);
  });

  it('the memory store is picked when no Redis URL is configured', async () => {
    const store = createRateLimitStore(config, {});
    expect(store.kind).toBe('memory');
    await store.close();
  });
});
