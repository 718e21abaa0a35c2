import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitStore } from '../../../gateway/rate-limit/store.ts';

/**
 * What every RateLimitStore must do, whatever holds the state. The memory store (unit) and
 * the Redis store (integration) both run it, which also holds the Lua script to the
 * TypeScript algorithm.
 */
export function describeStoreContract(name: string, open: () => Promise<RateLimitStore>): void {
  describe(`${name}: RateLimitStore contract`, () => {
    let store: RateLimitStore;
    const key = (): string => `contract:${randomUUID()}`;

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
    });

    it('admits a burst of exactly `limit`, counting remaining down, then denies', async () => {
      const k = key();
      const remaining: number[] = [];
      for (let i = 0; i < 5; i++) {
        const d = await store.consume(k, 5, 60_000);
        expect(d).toMatchObject({ allowed: true, reason: 'within-limit', limit: 5, retryAfterMs: 0 });
        remaining.push(d.remaining);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      const denied = await store.consume(k, 5, 60_000);
      expect(denied).toMatchObject({ allowed: false, reason: 'limit-exceeded', limit: 5, remaining: 0 });
      // one token comes back every 60000 / 5 = 12000 ms; the bucket is full after 60000 ms
      expect(denied.retryAfterMs).toBeGreaterThan(11_500);
      expect(denied.retryAfterMs).toBeLessThanOrEqual(12_000);
      expect(denied.resetMs).toBeGreaterThan(59_500);
      expect(denied.resetMs).toBeLessThanOrEqual(60_000);
    });

    it('reports time to a full bucket as resetMs on admitted requests', async () => {
      const k = key();
      const first = await store.consume(k, 10, 10_000);
      expect(first.resetMs).toBe(1_000);
      const second = await store.consume(k, 10, 10_000);
      expect(second.resetMs).toBeGreaterThan(1_900);
      expect(second.resetMs).toBeLessThanOrEqual(2_000);
    });

    it('refills continuously: one token per window/limit', async () => {
      const k = key();
      for (let i = 0; i < 4; i++) expect((await store.consume(k, 4, 800)).allowed).toBe(true);
      expect((await store.consume(k, 4, 800)).allowed).toBe(false);
      await sleep(250); // 200 ms per token: one back, the next 150 ms away
      expect((await store.consume(k, 4, 800)).allowed).toBe(true);
      expect((await store.consume(k, 4, 800)).allowed).toBe(false);
    });

    it('takes `cost` tokens, and a denied request takes none', async () => {
      const k = key();
      expect(await store.consume(k, 10, 60_000, 4)).toMatchObject({ allowed: true, remaining: 6 });
      expect(await store.consume(k, 10, 60_000, 7)).toMatchObject({ allowed: false, remaining: 6 });
      expect(await store.consume(k, 10, 60_000, 6)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('never admits a cost above the limit, and says retry after a whole window', async () => {
      const k = key();
      expect(await store.consume(k, 3, 5_000, 4)).toMatchObject({ allowed: false, retryAfterMs: 5_000 });
      expect(await store.consume(k, 3, 5_000)).toMatchObject({ allowed: true, remaining: 2 });
    });

    it('keeps keys apart', async () => {
      const a = key();
      const b = key();
      expect((await store.consume(a, 1, 60_000)).allowed).toBe(true);
      expect((await store.consume(a, 1, 60_000)).allowed).toBe(false);
      expect((await store.consume(b, 1, 60_000)).allowed).toBe(true);
    });

    it('admits exactly 100 of 300 concurrent requests against a limit of 100', async () => {
      const k = key();
      const decisions = await Promise.all(Array.from({ length: 300 }, () => store.consume(k, 100, 60_000)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
      expect(decisions.filter((d) => d.reason === 'limit-exceeded')).toHaveLength(200);
    });

    it('rejects nonsense arguments instead of deciding on them', async () => {
      await expect(store.consume(key(), 0, 1_000)).rejects.toThrow(RangeError);
      await expect(store.consume(key(), 5, 0)).rejects.toThrow(RangeError);
      await expect(store.consume(key(), 5, 1_000, 0)).rejects.toThrow(RangeError);
      await expect(store.consume(key(), 1.5, 1_000)).rejects.toThrow(RangeError);
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
