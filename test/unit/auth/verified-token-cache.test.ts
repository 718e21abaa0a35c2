import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../../../gateway/auth/verified-token-cache.ts';
import type { UserPrincipal } from '../../../gateway/context/principal.ts';

const user = (subject: string): UserPrincipal => ({ kind: 'user', subject, scopes: [], roles: [], tier: 'standard', claims: {} }) as UserPrincipal;

describe('VerifiedTokenCache', () => {
  it('forgets a token at its exp or after maxAgeMs, whichever is first', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxAgeMs: 5_000, now: () => now });
    cache.set('short', user('a'), (now + 2_000) / 1000); // exp in 2 s
    cache.set('long', user('b'), (now + 60_000) / 1000); // exp in 60 s, capped at 5 s
    now += 1_999;
    expect(cache.get('short')?.subject).toBe('a');
    now += 1;
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')?.subject).toBe('b');
    now += 3_000;
    expect(cache.get('long')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries, dropping the least recently used', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2, maxAgeMs: 60_000, now: () => 0 });
    cache.set('t1', user('1'), 100);
    cache.set('t2', user('2'), 100);
    expect(cache.get('t1')?.subject).toBe('1'); // t1 is now the most recent
    cache.set('t3', user('3'), 100);
    expect(cache.size).toBe(2);
    expect(cache.get('t2')).toBeUndefined();
    expect(cache.get('t1')?.subject).toBe('1');
    expect(cache.get('t3')?.subject).toBe('3');
  });

  it('remembers nothing already expired, and nothing at all with maxEntries 0', () => {
    const expired = new VerifiedTokenCache({ maxEntries: 10, maxAgeMs: 60_000, now: () => 10_000 });
    expired.set('t', user('1'), 10);
    expect(expired.size).toBe(0);
    const off = new VerifiedTokenCache({ maxEntries: 0, maxAgeMs: 60_000, now: () => 0 });
    off.set('t', user('1'), 100);
    expect(off.get('t')).toBeUndefined();
  });
});
