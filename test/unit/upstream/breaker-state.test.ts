import { describe, expect, it } from 'vitest';
import { breakerSchema } from '../../../gateway/config/schema.ts';
import { BreakerStateMachine } from '../../../gateway/upstream/breaker-state.ts';
import type { BreakerState } from '../../../gateway/upstream/types.ts';

type BreakerInput = Parameters<typeof breakerSchema.parse>[0];

/** A breaker on a hand-driven clock that records its transitions. */
function breaker(overrides: Partial<BreakerInput & object> = {}) {
  const clock = { now: 1_000_000 };
  const changes: Array<{ from: BreakerState; to: BreakerState; reason: string }> = [];
  const config = breakerSchema.parse({
    windowMs: 10_000,
    buckets: 10,
    failureRateThreshold: 0.5,
    minimumRequests: 10,
    consecutiveFailures: 100,
    openMs: 5_000,
    halfOpenProbes: 1,
    ...overrides,
  });
  const sm = new BreakerStateMachine(config, (from, to, reason) => changes.push({ from, to, reason }), () => clock.now);
  /** One admitted call that ends with `outcome`; false when the breaker refused it. */
  const call = (outcome: 'success' | 'failure' | 'ignored'): boolean => {
    const wasProbe = sm.state !== 'closed';
    if (!sm.tryAcquire()) return false;
    sm.record(outcome, wasProbe);
    return true;
  };
  const advance = (ms: number): void => {
    clock.now += ms;
  };
  return { sm, changes, call, advance, clock };
}

describe('BreakerStateMachine', () => {
  it('stays closed below minimumRequests however bad the rate is', () => {
    const { sm, call } = breaker({ minimumRequests: 10 });
    for (let i = 0; i < 9; i++) call('failure');
    expect(sm.state).toBe('closed');
    call('failure');
    expect(sm.state).toBe('open');
  });

  it('opens exactly when the failure rate reaches the threshold once minimumRequests were seen', () => {
    const { sm, call, changes } = breaker({ minimumRequests: 10, failureRateThreshold: 0.5 });
    for (let i = 0; i < 6; i++) call('success');
    for (let i = 0; i < 5; i++) call('failure'); // 5/11 < 0.5
    expect(sm.state).toBe('closed');
    call('failure'); // 6/12 = 0.5
    expect(sm.state).toBe('open');
    expect(changes).toEqual([{ from: 'closed', to: 'open', reason: expect.stringContaining('failure rate 6/12') }]);
  });

  it('successes alone never open it', () => {
    const { sm, call } = breaker({ minimumRequests: 1 });
    for (let i = 0; i < 100; i++) call('success');
    expect(sm.state).toBe('closed');
  });

  it('opens after consecutiveFailures in a row, whatever the rate', () => {
    const { sm, call } = breaker({ minimumRequests: 1000, consecutiveFailures: 3 });
    for (let i = 0; i < 50; i++) call('success');
    call('failure');
    call('failure');
    call('success'); // breaks the run
    call('failure');
    call('failure');
    expect(sm.state).toBe('closed');
    call('failure');
    expect(sm.state).toBe('open');
  });

  it('ignored outcomes (client went away) count neither way', () => {
    const { sm, call } = breaker({ minimumRequests: 2, consecutiveFailures: 2 });
    call('failure');
    for (let i = 0; i < 20; i++) call('ignored');
    expect(sm.state).toBe('closed');
    call('failure');
    expect(sm.state).toBe('open');
  });

  it('fails fast while open, then admits only halfOpenProbes once openMs elapsed', () => {
    const { sm, call, advance, changes } = breaker({ consecutiveFailures: 1, openMs: 5_000, halfOpenProbes: 2 });
    call('failure');
    expect(sm.state).toBe('open');
    expect(sm.tryAcquire()).toBe(false);
    expect(sm.admits()).toBe(false);
    expect(sm.retryAfterSeconds()).toBe(5);
    advance(4_999);
    expect(sm.tryAcquire()).toBe(false);
    advance(1);
    expect(sm.admits()).toBe(true);
    // Two probes in flight, the third is refused.
    expect(sm.tryAcquire()).toBe(true);
    expect(sm.state).toBe('half-open');
    expect(sm.tryAcquire()).toBe(true);
    expect(sm.tryAcquire()).toBe(false);
    expect(sm.admits()).toBe(false);
    expect(changes.map((c) => c.to)).toEqual(['open', 'half-open']);
  });

  it('admits no more than halfOpenProbes probes in one half-open period, even when they finish one by one', () => {
    const { sm, advance } = breaker({ consecutiveFailures: 1, halfOpenProbes: 2 });
    sm.tryAcquire();
    sm.record('failure', false);
    advance(5_000);
    expect(sm.tryAcquire()).toBe(true);
    sm.record('success', true); // first probe done, one success of two
    expect(sm.state).toBe('half-open');
    expect(sm.tryAcquire()).toBe(true); // the second probe
    expect(sm.tryAcquire()).toBe(false); // a third would exceed halfOpenProbes
    sm.record('success', true);
    expect(sm.state).toBe('closed');
  });

  it('closes after halfOpenProbes successful probes and forgets the old failures', () => {
    const { sm, call, advance, changes } = breaker({ consecutiveFailures: 2, halfOpenProbes: 2 });
    call('failure');
    call('failure');
    advance(5_000);
    expect(call('success')).toBe(true);
    expect(sm.state).toBe('half-open');
    expect(call('success')).toBe(true);
    expect(sm.state).toBe('closed');
    expect(changes.map((c) => c.to)).toEqual(['open', 'half-open', 'closed']);
    // A fresh run of failures is needed to open it again.
    call('failure');
    expect(sm.state).toBe('closed');
  });

  it('reopens on a failed probe, for another full openMs', () => {
    const { sm, call, advance, changes } = breaker({ consecutiveFailures: 1, halfOpenProbes: 3, openMs: 5_000 });
    call('failure');
    advance(5_000);
    call('success');
    call('failure');
    expect(sm.state).toBe('open');
    expect(sm.tryAcquire()).toBe(false);
    advance(4_999);
    expect(sm.tryAcquire()).toBe(false);
    advance(1);
    expect(sm.tryAcquire()).toBe(true);
    expect(changes.map((c) => c.to)).toEqual(['open', 'half-open', 'open', 'half-open']);
  });

  it('an ignored probe frees its slot without closing or reopening', () => {
    const { sm, call, advance } = breaker({ consecutiveFailures: 1, halfOpenProbes: 1 });
    call('failure');
    advance(5_000);
    expect(call('ignored')).toBe(true);
    expect(sm.state).toBe('half-open');
    expect(call('success')).toBe(true);
    expect(sm.state).toBe('closed');
  });

  it('a late result of a call admitted before the breaker opened does not decide the half-open trial', () => {
    const { sm, call, advance } = breaker({ consecutiveFailures: 2, halfOpenProbes: 1 });
    // A slow call is admitted while closed…
    const slowWasProbe = sm.state !== 'closed';
    expect(sm.tryAcquire()).toBe(true);
    // …the breaker opens and goes half-open meanwhile, and a probe is in flight…
    call('failure');
    call('failure');
    advance(5_000);
    expect(sm.tryAcquire()).toBe(true);
    expect(sm.state).toBe('half-open');
    // …then the old call succeeds: that says nothing about the upstream now.
    sm.record('success', slowWasProbe);
    expect(sm.state).toBe('half-open');
    sm.record('failure', true);
    expect(sm.state).toBe('open');
  });

  it('the rolling window forgets failures older than windowMs', () => {
    const { sm, call, advance } = breaker({ windowMs: 10_000, buckets: 10, minimumRequests: 10, failureRateThreshold: 0.5 });
    for (let i = 0; i < 9; i++) call('failure');
    call('success'); // resets the consecutive run; 9/10 would have opened had it been a failure
    expect(sm.state).toBe('closed');
    advance(11_000); // every bucket above is now outside the window
    for (let i = 0; i < 8; i++) call('success');
    call('failure'); // 1/9 in the window, below minimumRequests anyway
    call('failure'); // 2/10: had the old 9 failures counted this would be 11/20
    expect(sm.state).toBe('closed');
  });

  it('the window rolls bucket by bucket: failures leave it as their bucket ages out', () => {
    const { sm, call, advance } = breaker({ windowMs: 10_000, buckets: 10, minimumRequests: 4, failureRateThreshold: 0.75 });
    call('failure');
    call('failure');
    call('success');
    advance(5_000);
    call('success');
    advance(6_000); // the first bucket (2 failures, 1 success) is now wholly past the horizon
    call('failure'); // 1 failure / 2 in the window: not even minimumRequests
    expect(sm.state).toBe('closed');
    call('failure');
    call('failure'); // 3/4 = 0.75 with only recent calls
    expect(sm.state).toBe('open');
  });

  it('health-check verdicts: unhealthy opens a closed breaker, healthy closes an open one', () => {
    const { sm, changes } = breaker({ openMs: 60_000 });
    sm.healthCheck(true);
    expect(sm.state).toBe('closed');
    expect(changes).toEqual([]);
    sm.healthCheck(false);
    expect(sm.state).toBe('open');
    expect(sm.tryAcquire()).toBe(false);
    sm.healthCheck(false);
    expect(changes).toHaveLength(1);
    sm.healthCheck(true);
    expect(sm.state).toBe('closed');
    expect(sm.tryAcquire()).toBe(true);
    expect(changes.map((c) => [c.to, c.reason])).toEqual([
      ['open', 'health check failed'],
      ['closed', 'health check passed'],
    ]);
  });

  it('health checks never close a breaker traffic opened: it stays open for openMs, then half-opens on traffic', () => {
    const { sm, call, advance, changes } = breaker({ consecutiveFailures: 5, openMs: 5_000, halfOpenProbes: 1 });
    for (let i = 0; i < 5; i++) call('failure');
    expect(sm.state).toBe('open');
    advance(96);
    sm.healthCheck(true);
    expect(sm.state).toBe('open');
    expect(sm.tryAcquire()).toBe(false);
    advance(4_904);
    sm.healthCheck(true);
    expect(sm.tryAcquire()).toBe(true);
    expect(sm.state).toBe('half-open');
    sm.record('success', true);
    expect(sm.state).toBe('closed');
    expect(changes.map((c) => [c.to, c.reason])).toEqual([
      ['open', '5 consecutive failures'],
      ['half-open', 'open period elapsed'],
      ['closed', 'half-open probes succeeded'],
    ]);
  });

  it('a failed health check ejects a target whatever the traffic breaker says; only a passing one re-admits it', () => {
    const { sm, call, advance, changes } = breaker({ consecutiveFailures: 1, openMs: 5_000, healthCheck: { intervalMs: 2_000 } });
    call('failure');
    sm.healthCheck(false);
    advance(5_000);
    // The open period is over, but the health check still holds the target out.
    expect(sm.admits()).toBe(false);
    expect(sm.tryAcquire()).toBe(false);
    expect(sm.trafficState).toBe('open');
    sm.healthCheck(false);
    expect(sm.retryAfterSeconds()).toBe(2);
    advance(1_000);
    sm.healthCheck(true);
    // Re-admitted, and the traffic breaker goes on where it was: its open period is over.
    expect(sm.tryAcquire()).toBe(true);
    expect(sm.state).toBe('half-open');
    expect(changes.map((c) => [c.to, c.reason])).toEqual([
      ['open', '1 consecutive failures'],
      ['half-open', 'open period elapsed'],
    ]);
  });

  it('Retry-After counts down the open period and is at least 1 s', () => {
    const { sm, call, advance } = breaker({ consecutiveFailures: 1, openMs: 3_500 });
    call('failure');
    expect(sm.retryAfterSeconds()).toBe(4);
    advance(3_000);
    expect(sm.retryAfterSeconds()).toBe(1);
    advance(1_000);
    expect(sm.retryAfterSeconds()).toBe(1);
  });
});
