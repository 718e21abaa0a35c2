import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimitStore, type RedisStoreOptions } from '../../../gateway/rate-limit/redis-store.ts';
import { startRedisServer, type TestRedisServer } from '../../helpers/redis-server.ts';

/**
 * Redis dies, stalls and comes back under a live store. Each test owns its redis-server
 * child process, so killing it never touches the shared Redis.
 */
describe('RedisRateLimitStore when Redis fails', () => {
  let redis: TestRedisServer;
  const stores: RedisRateLimitStore[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    if (!(await isUp())) await redis.restart();
  });
  afterAll(async () => {
    await redis.stop();
  });

  const isUp = async (): Promise<boolean> => {
    const probe = new RedisRateLimitStore({ url: redis.url, timeoutMs: 50, failMode: 'open', keyPrefix: 'probe:' });
    try {
      return await probe.waitUntilReady(300);
    } finally {
      await probe.close();
    }
  };

  async function open(options: Partial<RedisStoreOptions>, ready = true): Promise<RedisRateLimitStore> {
    const store = new RedisRateLimitStore({
      url: redis.url,
      timeoutMs: 50,
      failMode: 'open',
      keyPrefix: 'fail:',
      maxReconnectDelayMs: 100,
      ...options,
    });
    stores.push(store);
    if (ready && !(await store.waitUntilReady(5_000))) throw new Error('test Redis not ready');
    return store;
  }

  function recorder() {
    const errors: Error[] = [];
    const warnings: Array<{ obj: object; msg: string }> = [];
    return {
      errors,
      warnings,
      onStoreError: (error: Error) => errors.push(error),
      logger: { warn: (obj: object, msg: string) => warnings.push({ obj, msg }) },
    };
  }

  it('fail-open: admits while Redis is dead, reports every failure, logs, and enforces again once Redis is back', async () => {
    const r = recorder();
    // a long timeout, so answering fast proves the store fails fast rather than timing out
    const store = await open({ failMode: 'open', timeoutMs: 1_000, onStoreError: r.onStoreError, logger: r.logger });
    expect(await store.consume('k', 2, 60_000)).toMatchObject({ allowed: true, reason: 'within-limit' });

    await redis.stop();
    const started = performance.now();
    const during = await Promise.all(Array.from({ length: 5 }, () => store.consume('k', 2, 60_000)));
    expect(performance.now() - started).toBeLessThan(300);
    for (const d of during) expect(d).toMatchObject({ allowed: true, reason: 'store-unavailable' });
    expect(r.errors).toHaveLength(5);
    expect(r.warnings.length).toBeGreaterThanOrEqual(1);
    expect(r.warnings.length).toBeLessThan(5); // throttled, not one line per request
    expect(await store.ping()).toBe(false);

    await redis.restart(); // empty: the state died with it
    expect(await store.waitUntilReady(5_000)).toBe(true);
    const after = await Promise.all(Array.from({ length: 4 }, () => store.consume('k', 2, 60_000)));
    expect(after.map((d) => d.allowed)).toEqual([true, true, false, false]);
    expect(after.every((d) => d.reason !== 'store-unavailable')).toBe(true);
  });

  it('fail-closed: denies with reason store-unavailable while Redis is dead', async () => {
    const r = recorder();
    const store = await open({ failMode: 'closed', onStoreError: r.onStoreError });
    await redis.stop();
    const d = await store.consume('k', 100, 60_000);
    expect(d).toMatchObject({ allowed: false, reason: 'store-unavailable', remaining: 0 });
    expect(d.retryAfterMs).toBeGreaterThan(0);
    expect(r.errors).toHaveLength(1);
    await redis.restart();
    expect(await store.waitUntilReady(5_000)).toBe(true);
    expect(await store.consume('k', 100, 60_000)).toMatchObject({ allowed: true, reason: 'within-limit' });
  });

  it('a stalled Redis never holds a decision longer than timeoutMs', async () => {
    const r = recorder();
    const store = await open({ failMode: 'open', timeoutMs: 50, onStoreError: r.onStoreError });
    redis.freeze();
    try {
      const started = performance.now();
      const d = await store.consume('k', 5, 60_000);
      const took = performance.now() - started;
      expect(d).toMatchObject({ allowed: true, reason: 'store-unavailable' });
      expect(took).toBeGreaterThanOrEqual(45);
      expect(took).toBeLessThan(250);
      expect(r.errors[0]?.message).toMatch(/timed out|did not answer/i);
    } finally {
      redis.thaw();
    }
    await sleep(50);
    expect(await store.consume('k2', 5, 60_000)).toMatchObject({ allowed: true, reason: 'within-limit' });
  });

  it('a store created while Redis is down fails fast and starts enforcing once Redis appears', async () => {
    await redis.stop();
    const r = recorder();
    const store = await open({ failMode: 'closed', timeoutMs: 1_000, onStoreError: r.onStoreError }, false);
    const started = performance.now();
    expect(await store.consume('k', 1, 60_000)).toMatchObject({ allowed: false, reason: 'store-unavailable' });
    expect(performance.now() - started).toBeLessThan(200); // no offline queue: no waiting for the timeout
    await redis.restart();
    expect(await store.waitUntilReady(5_000)).toBe(true);
    expect(await store.consume('k', 1, 60_000)).toMatchObject({ allowed: true, reason: 'within-limit' });
    expect(await store.consume('k', 1, 60_000)).toMatchObject({ allowed: false, reason: 'limit-exceeded' });
  });
});
