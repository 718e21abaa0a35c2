import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createApiKeyStore, hashApiKey } from '../../../gateway/auth/api-keys.ts';
import { authConfigSchema } from '../../../gateway/auth/config.ts';

// Node's own timingSafeEqual, wrapped only to count calls (our code is not mocked).
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const KEY = 'acme_live_9f8b7c6d5e4f3a2b1c0d';
const store = createApiKeyStore(
  authConfigSchema.parse({ apiKeys: [{ id: 'k', hash: hashApiKey(KEY), consumer: 'acme', routes: ['*'] }] }).apiKeys,
);
const compare = vi.mocked(crypto.timingSafeEqual);

describe('API key comparison is constant-time on hits and misses alike', () => {
  beforeEach(() => {
    compare.mockClear();
  });

  it('a hit compares the full 32-byte digests with timingSafeEqual', () => {
    store.authenticate(KEY);
    expect(compare).toHaveBeenCalledTimes(1);
    const [a, b] = compare.mock.calls[0] as [Buffer, Buffer];
    expect([a.length, b.length]).toEqual([32, 32]);
  });

  it('a miss (wrong key of any length) does the same comparison against a dummy digest', () => {
    for (const key of ['x', KEY.slice(0, -1), `${KEY}#`, 'y'.repeat(200)]) {
      compare.mockClear();
      expect(() => store.authenticate(key)).toThrow();
      expect(compare).toHaveBeenCalledTimes(1);
      const [a, b] = compare.mock.calls[0] as [Buffer, Buffer];
      expect([a.length, b.length]).toEqual([32, 32]);
    }
  });
});
