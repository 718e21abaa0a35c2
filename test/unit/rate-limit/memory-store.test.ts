import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../../gateway/rate-limit/memory-store.ts';
import { describeStoreContract } from './store-contract.ts';

describeStoreContract('memory', async () => new MemoryRateLimitStore());

describe('MemoryRateLimitStore bounds', () => {
  const clock = () => {
    let t = 1_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

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

  it('refuses a nonsense bound', () => {
    expect(() => new MemoryRateLimitStore({ maxKeys: 0 })).toThrow(RangeError);
  });
});
