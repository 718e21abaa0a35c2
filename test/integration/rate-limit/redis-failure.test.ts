import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimitStore, type RedisStoreOptions } from '../../../gateway/rate-limit/redis-store.ts';
import type { StoreErrorSource } from '../../../gateway/rate-limit/store.ts';
import { GatewayMetrics } from '../../../gateway/telemetry/metrics.ts';
import { rateLimitTelemetry } from '../../../gateway/telemetry/rate-limit-hooks.ts';
import { parsePrometheusText, sampleValue } from '../../helpers/prometheus-text.ts';
import { startRedisServer, type TestRedisServer } from '../../helpers/redis-server.ts';

/**
 * Redis dies, stalls and comes back under a live store. Each test owns its redis-server
 * child process, so killing it never touches the shared Redis. No assertion reads a clock:
 * "fails fast" is shown with a deadline longer than the test's own timeout (waiting for it
 * would fail the test), and waits for something to happen are bounded polls.
 */
describe('RedisRateLimitStore when Redis fails', () => {
  let redis: TestRedisServer;
  const stores: RedisRateLimitStore[] = [];
  /** Longer than vitest's testTimeout (20 s): a decision that waited for it would fail the test. */
  const NEVER_MS = 60_000;

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
      timeoutMs: NEVER_MS,
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
    const reports: Array<{ error: Error; source: StoreErrorSource }> = [];
    const warnings: Array<{ obj: object; msg: string }> = [];
    return {
      reports,
      warnings,
      of: (source: StoreErrorSource) => reports.filter((r) => r.source === source).map((r) => r.error),
      onStoreError: (error: Error, source: StoreErrorSource) => reports.push({ error, source }),
      logger: { warn: (obj: object, msg: string) => warnings.push({ obj, msg }) },
    };
  }

  /** Polls (bounded) until `done()`; false if it never was. */
  async function eventually(done: () => boolean | Promise<boolean>, attempts = 200, everyMs = 25): Promise<boolean> {
    for (let i = 0; i < attempts; i++) {
      if (await done()) return true;
      await sleep(everyMs);
    }
    return done();
  }

  it('fail-open: admits at once while Redis is dead, reports every failure, logs, and enforces again once Redis is back', async () => {
    const r = recorder();
    const store = await open({ failMode: 'open', timeoutMs: NEVER_MS, onStoreError: r.onStoreError, logger: r.logger });
    expect(await store.consume('k', 2, 60_000)).toMatchObject({ allowed: true, reason: 'within-limit' });

    await redis.stop();
    const during = await Promise.all(Array.from({ length: 5 }, () => store.consume('k', 2, 60_000)));
    for (const d of during) expect(d).toMatchObject({ allowed: true, reason: 'store-unavailable' });
    expect(r.of('decision')).toHaveLength(5); // each failed decision once
    expect(r.warnings.length).toBeGreaterThanOrEqual(1);
    expect(r.warnings.length).toBeLessThan(5); // throttled, not one line per request
    expect(await store.ping()).toBe(false);

    await redis.restart(); // empty: the state died with it
    expect(await store.waitUntilReady(5_000)).toBe(true);
    const after = await Promise.all(Array.from({ length: 4 }, () => store.consume('k', 2, 60_000)));
    expect(after.map((d) => d.allowed)).toEqual([true, true, false, false]);
    expect(after.every((d) => d.reason !== 'store-unavailable')).toBe(true);
    expect(r.of('decision')).toHaveLength(5);
  });

  it('fail-closed: denies with reason store-unavailable while Redis is dead', async () => {
    const r = recorder();
    const store = await open({ failMode: 'closed', onStoreError: r.onStoreError });
    await redis.stop();
    const d = await store.consumeWindow('k', 100, 60_000);
    expect(d).toMatchObject({ allowed: false, reason: 'store-unavailable', remaining: 0 });
    expect(d.retryAfterMs).toBeGreaterThan(0);
    expect(r.of('decision')).toHaveLength(1);
    await redis.restart();
    expect(await store.waitUntilReady(5_000)).toBe(true);
    expect(await store.consume('k', 100, 60_000)).toMatchObject({ allowed: true, reason: 'within-limit' });
  });

  it('a stalled Redis never holds a decision past timeoutMs', async () => {
    const r = recorder();
    const store = await open({ failMode: 'open', timeoutMs: 50, onStoreError: r.onStoreError });
    redis.freeze();
    try {
      const started = performance.now();
      const bucket = await store.consume('k', 5, 60_000);
      const window = await store.consumeWindow('w', 5, 60_000);
      // Both answered while Redis is still frozen: our deadline answered, not Redis. A timer
      // never fires early, so each waited its timeoutMs first.
      expect(bucket).toMatchObject({ allowed: true, reason: 'store-unavailable' });
      expect(window).toMatchObject({ allowed: true, reason: 'store-unavailable' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(2 * 45);
      expect(r.of('decision').map((e) => e.message)).toEqual(['Redis did not answer within 50 ms', 'Redis did not answer within 50 ms']);
      expect(r.of('connection')).toHaveLength(0); // the connection itself is fine
    } finally {
      redis.thaw();
    }
    // The answers to the abandoned calls arrive late and are ignored; once Redis runs
    // again, new calls are answered (bounded wait: a thawed process on a busy machine may
    // take longer than 50 ms to answer its first call).
    const answered = await eventually(async () => (await store.consume('k2', 1_000, 60_000)).reason !== 'store-unavailable');
    expect(answered).toBe(true);
    expect(await store.consume('k2', 1_000, 60_000)).toMatchObject({ reason: 'within-limit' });
  });

  it('a store created while Redis is down fails fast, reports the connection trouble, and starts enforcing once Redis appears', async () => {
    await redis.stop();
    const r = recorder();
    const store = await open({ failMode: 'closed', timeoutMs: NEVER_MS, onStoreError: r.onStoreError }, false);
    // no offline queue: the decision does not wait for a connection (nor for the deadline)
    expect(await store.consume('k', 1, 60_000)).toMatchObject({ allowed: false, reason: 'store-unavailable' });
    expect(await eventually(() => r.of('connection').length > 0)).toBe(true);
    await redis.restart();
    expect(await store.waitUntilReady(5_000)).toBe(true);
    expect(await store.consume('k', 1, 60_000)).toMatchObject({ allowed: true, reason: 'within-limit' });
    expect(await store.consume('k', 1, 60_000)).toMatchObject({ allowed: false, reason: 'limit-exceeded' });
  });

  it('connection errors move rate_limit_store_errors_total with no traffic at all, and a failed decision adds exactly one', async () => {
    const metrics = new GatewayMetrics({ maxOperationNames: 10 });
    const hooks = rateLimitTelemetry(metrics);
    const sources: StoreErrorSource[] = [];
    const store = await open({
      failMode: 'open',
      timeoutMs: NEVER_MS,
      onStoreError: (error, source) => {
        sources.push(source);
        hooks.onStoreError(error);
      },
    });
    const counted = async (): Promise<number> =>
      sampleValue(parsePrometheusText((await metrics.exposition()).body), 'rate_limit_store_errors_total', { store: 'redis' });
    expect(await counted()).toBe(0);

    await redis.stop();
    // Nobody asks for a decision; the reconnection attempts fail and are counted.
    expect(await eventually(() => sources.length >= 2)).toBe(true);
    expect(sources.every((s) => s === 'connection')).toBe(true);
    expect(await counted()).toBe(sources.length);

    // Decisions during the outage: one count each, on top of the connection attempts.
    const connectionsBefore = sources.filter((s) => s === 'connection').length;
    await Promise.all(Array.from({ length: 3 }, () => store.consume('k', 5, 60_000)));
    expect(sources.filter((s) => s === 'decision')).toHaveLength(3);
    expect(await counted()).toBe(sources.length);
    expect(sources.filter((s) => s === 'connection').length).toBeGreaterThanOrEqual(connectionsBefore);

    await redis.restart();
    expect(await store.waitUntilReady(5_000)).toBe(true);
    const settled = sources.length;
    expect(await store.consume('k', 5, 60_000)).toMatchObject({ reason: 'within-limit' });
    expect(sources).toHaveLength(settled); // a healthy decision reports nothing
    await store.close();
    await redis.stop(); // a closed store no longer reconnects, so reports nothing
    expect(sources).toHaveLength(settled);
  });
});
