import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../../gateway/upstream/retry-budget.ts';

function budget(ratio: number, minRetries: number, windowMs = 10_000) {
  const clock = { now: 5_000_000 };
  return { b: new RetryBudget(ratio, minRetries, windowMs, () => clock.now), clock };
}

const spend = (b: RetryBudget): number => {
  let n = 0;
  while (b.tryRetry()) n++;
  return n;
};

describe('RetryBudget', () => {
  it('allows minRetries with no traffic at all', () => {
    const { b } = budget(0.2, 10);
    expect(spend(b)).toBe(10);
  });

  it('allows minRetries + ratio × calls in the window', () => {
    const { b } = budget(0.2, 10);
    for (let i = 0; i < 200; i++) b.recordCall();
    expect(spend(b)).toBe(50);
  });

  it('refills as the spent retries leave the window', () => {
    const { b, clock } = budget(0, 3, 10_000);
    expect(spend(b)).toBe(3);
    clock.now += 5_000;
    expect(b.tryRetry()).toBe(false);
    clock.now += 6_000;
    expect(spend(b)).toBe(3);
  });

  it('a zero budget never retries', () => {
    const { b } = budget(0, 0);
    for (let i = 0; i < 100; i++) b.recordCall();
    expect(b.tryRetry()).toBe(false);
  });
});
