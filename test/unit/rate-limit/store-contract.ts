import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision, RateLimitStore } from '../../../gateway/rate-limit/store.ts';

/**
 * What every RateLimitStore must do, whatever holds the state. The memory store (unit) and
 * the Redis store (integration) both run it, which also holds the Lua scripts to the
 * TypeScript algorithms. No assertion depends on how fast the machine is: where time must
 * pass, the test waits for it (bounded) and asserts only what must hold however long it took.
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
      for (let i = 0; i < 2; i++) expect((await store.consume(k, 2, 2_000)).allowed).toBe(true);
      expect((await store.consume(k, 2, 2_000)).allowed).toBe(false);
      // 1000 ms per token: after 1100 ms one is back and the next is 900 ms away, a margin
      // no scheduler hiccup between two awaits comes near.
      await sleep(1_100);
      expect((await store.consume(k, 2, 2_000)).allowed).toBe(true);
      expect((await store.consume(k, 2, 2_000)).allowed).toBe(false);
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

  describe(`${name}: RateLimitStore contract, sliding window (consumeWindow)`, () => {
    let store: RateLimitStore;
    const key = (): string => `contract-window:${randomUUID()}`;

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
    });

    it('admits exactly `max`, counting remaining down, then denies until the oldest call leaves the window', async () => {
      const k = key();
      const remaining: number[] = [];
      for (let i = 0; i < 5; i++) {
        const d = await store.consumeWindow(k, 5, 60_000);
        // the newest call leaves last: a whole window from now
        expect(d).toMatchObject({ allowed: true, reason: 'within-limit', limit: 5, resetMs: 60_000, retryAfterMs: 0 });
        remaining.push(d.remaining);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      const denied = await store.consumeWindow(k, 5, 60_000);
      expect(denied).toMatchObject({ allowed: false, reason: 'limit-exceeded', limit: 5, remaining: 0 });
      // Not a bucket's "one back in window/max" (12 s): nothing comes back until the first
      // call is a window old. Bounds allow for any time the calls above took.
      expect(denied.retryAfterMs).toBeGreaterThan(50_000);
      expect(denied.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(denied.resetMs).toBeGreaterThanOrEqual(denied.retryAfterMs);
      expect(denied.resetMs).toBeLessThanOrEqual(60_000);
    });

    it('slides: once the oldest calls have left the window, there is room again', async () => {
      const k = key();
      for (let i = 0; i < 2; i++) expect((await store.consumeWindow(k, 2, 300)).allowed).toBe(true);
      const denied = await store.consumeWindow(k, 2, 300);
      expect(denied.allowed).toBe(false);
      expect(denied.retryAfterMs).toBeLessThanOrEqual(300);
      // Wait for it, bounded; how long it took is not the point.
      let admitted: Decision | undefined;
      for (let i = 0; i < 100 && !admitted; i++) {
        await sleep(Math.max(denied.retryAfterMs, 20));
        const d = await store.consumeWindow(k, 2, 300);
        if (d.allowed) admitted = d;
        else expect(d.reason).toBe('limit-exceeded');
      }
      expect(admitted).toMatchObject({ reason: 'within-limit', resetMs: 300 });
      expect(admitted!.remaining).toBeLessThanOrEqual(1);
    });

    it('counts `cost` calls, and a denied call counts none', async () => {
      const k = key();
      expect(await store.consumeWindow(k, 10, 60_000, 4)).toMatchObject({ allowed: true, remaining: 6 });
      expect(await store.consumeWindow(k, 10, 60_000, 7)).toMatchObject({ allowed: false, remaining: 6 });
      expect(await store.consumeWindow(k, 10, 60_000, 6)).toMatchObject({ allowed: true, remaining: 0 });
      expect(await store.consumeWindow(k, 10, 60_000)).toMatchObject({ allowed: false, remaining: 0 });
    });

    it('never admits a cost above `max`, and says retry after a whole window', async () => {
      const k = key();
      expect(await store.consumeWindow(k, 3, 5_000, 4)).toMatchObject({ allowed: false, retryAfterMs: 5_000, resetMs: 0, remaining: 3 });
      expect(await store.consumeWindow(k, 3, 5_000)).toMatchObject({ allowed: true, remaining: 2 });
    });

    it('keeps keys apart', async () => {
      const a = key();
      const b = key();
      expect((await store.consumeWindow(a, 1, 60_000)).allowed).toBe(true);
      expect((await store.consumeWindow(a, 1, 60_000)).allowed).toBe(false);
      expect((await store.consumeWindow(b, 1, 60_000)).allowed).toBe(true);
    });

    it('admits exactly 100 of 300 concurrent calls against a max of 100, each seeing its own remaining', async () => {
      const k = key();
      const decisions = await Promise.all(Array.from({ length: 300 }, () => store.consumeWindow(k, 100, 60_000)));
      const admitted = decisions.filter((d) => d.allowed);
      expect(admitted).toHaveLength(100);
      expect(decisions.filter((d) => d.reason === 'limit-exceeded')).toHaveLength(200);
      expect(admitted.map((d) => d.remaining).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    });

    it('rejects nonsense arguments instead of deciding on them', async () => {
      await expect(store.consumeWindow(key(), 0, 1_000)).rejects.toThrow(RangeError);
      await expect(store.consumeWindow(key(), 5, 0)).rejects.toThrow(RangeError);
      await expect(store.consumeWindow(key(), 5, 1_000, 0)).rejects.toThrow(RangeError);
      await expect(store.consumeWindow(key(), 1.5, 1_000)).rejects.toThrow(RangeError);
    });
  });
}
