import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../../gateway/rate-limit/memory-store.ts';
import { describeStoreContract } from './store-contract.ts';

describeStoreContract('memory', async () => new MemoryRateLimitStore());

const clock = () => {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms), set: (ms: number) => (t = ms) };
};

describe('MemoryRateLimitStore sliding window, on an injected clock', () => {
  it('a call counts for exactly one window: denied 1 ms before the oldest leaves, admitted when it has', async () => {
    const c = clock();
    const store = new MemoryRateLimitStore({ now: c.now });
    c.set(0);
    for (const t of [0, 100, 200]) {
      c.set(t);
      expect(store.consumeWindowSync('k', 3, 1_000).allowed).toBe(true);
    }
    c.set(999);
    expect(store.consumeWindowSync('k', 3, 1_000)).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 1, resetMs: 201 });
    c.set(1_000); // the call at 0 has left; those at 100 and 200 have not
    expect(store.consumeWindowSync('k', 3, 1_000)).toMatchObject({ allowed: true, remaining: 0, resetMs: 1_000 });
    expect(store.consumeWindowSync('k', 3, 1_000)).toMatchObject({ allowed: false, retryAfterMs: 100, resetMs: 1_000 });
    await store.close();
  });

  it('"60 per minute" admits 60 in any minute, never the 119 a bucket of 60 refilled at 1/s would', async () => {
    const c = clock();
    const store = new MemoryRateLimitStore({ now: c.now });
    const admittedAt: number[] = [];
    // a caller calling every 100 ms for three minutes
    for (let t = 0; t < 180_000; t += 100) {
      c.set(t);
      if (store.consumeWindowSync('home', 60, 60_000).allowed) admittedAt.push(t);
    }
    // the first 60 calls of each minute, then nothing until the oldest is a minute old
    const expected = [0, 60_000, 120_000].flatMap((start) => Array.from({ length: 60 }, (_, i) => start + i * 100));
    expect(admittedAt).toEqual(expected);
    for (const start of admittedAt) expect(admittedAt.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(60);
    // the bucket (consume) on the same traffic, for the record
    const bucket = new MemoryRateLimitStore({ now: c.now });
    let bucketAdmitted = 0;
    for (let t = 0; t < 60_000; t += 100) {
      c.set(t);
      if (bucket.consumeSync('home', 60, 60_000).allowed) bucketAdmitted++;
    }
    expect(bucketAdmitted).toBe(119);
    await Promise.all([store.close(), bucket.close()]);
  });

  it('staggered calls leave one by one, and a cost waits for as many to leave', async () => {
    const c = clock();
    const store = new MemoryRateLimitStore({ now: c.now });
    for (const t of [0, 10_000, 20_000]) {
      c.set(t);
      store.consumeWindowSync('k', 3, 60_000);
    }
    c.set(30_000);
    // two must leave for a cost of 2: the one at 10 000 leaves at 70 000
    expect(store.consumeWindowSync('k', 3, 60_000, 2)).toMatchObject({ allowed: false, retryAfterMs: 40_000, resetMs: 50_000 });
    c.set(60_000);
    expect(store.consumeWindowSync('k', 3, 60_000)).toMatchObject({ allowed: true, remaining: 0 });
    c.set(70_000);
    expect(store.consumeWindowSync('k', 3, 60_000, 2)).toMatchObject({ allowed: false, retryAfterMs: 10_000 });
    c.set(80_000);
    expect(store.consumeWindowSync('k', 3, 60_000, 2)).toMatchObject({ allowed: true, remaining: 0 });
    await store.close();
  });

  it('a clock that steps back admits nothing extra', async () => {
    const c = clock();
    const store = new MemoryRateLimitStore({ now: c.now });
    c.set(10_000);
    expect(store.consumeWindowSync('k', 1, 1_000).allowed).toBe(true);
    c.set(5_000);
    expect(store.consumeWindowSync('k', 1, 1_000)).toMatchObject({ allowed: false, retryAfterMs: 1_000 });
    c.set(10_999);
    expect(store.consumeWindowSync('k', 1, 1_000).allowed).toBe(false);
    c.set(11_000);
    expect(store.consumeWindowSync('k', 1, 1_000).allowed).toBe(true);
    await store.close();
  });
});

describe('MemoryRateLimitStore bounds', () => {

  it('never holds more than maxKeys buckets, dropping the least recently used', async () => {
    const c = clock();
    const store = new MemoryRateLimitStore({ maxKeys: 3, now: c.now });
    for (const k of ['a', 'b', 'c']) store.consumeSync(k, 1, 60_000);
    store.consumeSync('a', 1, 60_000); // denied, but "a" is now the most recent
    store.consumeSync('d', 1, 60_000);
    expect(store.size).toBe(3);
    // "b" was the least recent, so it was forgotten: its bucket is full again
    expect(store.consumeSync('b', 1, 60_000).allowed).toBe(true);
    expect(store.consumeSync('a', 1, 60_000).allowed).toBe(false);
    for (let i = 0; i < 1_000; i++) store.consumeSync(`flood-${i}`, 1, 60_000);
    expect(store.size).toBe(3);
    await store.close();
  });

  it('forgets a bucket once it has refilled (a missing bucket is a full one)', async () => {
    const c = clock();
    const store = new MemoryRateLimitStore({ now: c.now });
    store.consumeSync('a', 10, 1_000);
    store.consumeSync('b', 10, 1_000, 10);
    c.advance(100); // "a" (1 token short) is full again; "b" (10 short) is not
    store.sweep();
    expect(store.size).toBe(1);
    c.advance(900);
    store.sweep();
    expect(store.size).toBe(0);
    await store.close();
  });

  it('treats an expired-but-unswept bucket as full', async () => {
    const c = clock();
    const store = new MemoryRateLimitStore({ now: c.now });
    store.consumeSync('a', 2, 1_000, 2);
    expect(store.consumeSync('a', 2, 1_000).allowed).toBe(false);
    c.advance(1_000);
    expect(store.consumeSync('a', 2, 1_000)).toMatchObject({ allowed: true, remaining: 1 });
    await store.close();
  });

  it('holds windows under the same maxKeys as buckets, at most `max` times each, and forgets them once empty', async () => {
    const c = clock();
    const store = new MemoryRateLimitStore({ maxKeys: 2, now: c.now });
    store.consumeSync('bucket', 1, 60_000);
    for (let i = 0; i < 50; i++) store.consumeWindowSync('window', 3, 1_000); // 3 admitted, 47 denied and not recorded
    store.consumeWindowSync('other', 3, 1_000);
    expect(store.size).toBe(2);
    // "bucket" was the least recent, so it went: full again
    expect(store.consumeSync('bucket', 1, 60_000).allowed).toBe(true);
    expect(store.size).toBe(2); // and "window" went in its turn
    c.advance(1_000);
    store.sweep();
    expect(store.size).toBe(1); // "other" has emptied; "bucket" (60 s to full) has not
    await store.close();
  });

  it('refuses a nonsense bound', () => {
    expect(() => new MemoryRateLimitStore({ maxKeys: 0 })).toThrow(RangeError);
  });
});
