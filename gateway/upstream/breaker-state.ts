import type { BreakerConfig } from '../config/index.ts';
import type { BreakerState } from './types.ts';

export type Outcome = 'success' | 'failure' | 'ignored';

interface Bucket {
  start: number;
  successes: number;
  failures: number;
}

/**
 * The health of one upstream target, from two separate signals (Envoy's outlier ejection
 * beside active health checking), each undone only by itself:
 *
 * The traffic breaker. closed → open: failure rate over the rolling window ≥ threshold
 * (once `minimumRequests` calls were seen), or `consecutiveFailures` in a row.
 * open → half-open: after `openMs`; up to `halfOpenProbes` calls go through.
 * half-open → closed when that many probes succeed; → open again on any probe failure.
 *
 * Active health checks. A failed check ejects the target, a passing one re-admits it. A
 * check never closes (or reopens) the traffic breaker: a target whose checks pass while
 * its traffic fails would otherwise be closed between failures and fail again.
 *
 * A target takes calls when neither signal holds it out; `state` is what callers see
 * (metrics, spans): `open` while ejected, otherwise the traffic breaker's state.
 */
export class BreakerStateMachine {
  #state: BreakerState = 'closed';
  #ejected = false;
  #lastHealthCheckAt = 0;
  #openUntil = 0;
  #probesInFlight = 0;
  #probeSuccesses = 0;
  #consecutiveFailures = 0;
  readonly #buckets: Bucket[] = [];
  readonly #bucketMs: number;

  constructor(
    private readonly config: BreakerConfig,
    private readonly onChange: (from: BreakerState, to: BreakerState, reason: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.#bucketMs = Math.max(1, Math.floor(config.windowMs / config.buckets));
  }

  get state(): BreakerState {
    return this.#ejected ? 'open' : this.#state;
  }

  /** The traffic breaker's own state, whatever the health checks say. */
  get trafficState(): BreakerState {
    return this.#state;
  }

  /** Whether failed health checks hold the target out. */
  get ejected(): boolean {
    return this.#ejected;
  }

  /**
   * Seconds until a call may go through again (for Retry-After): the rest of the open
   * period, or, while ejected, until the next health check could re-admit the target;
   * at least 1.
   */
  retryAfterSeconds(): number {
    const now = this.now();
    const untilHalfOpen = this.#state === 'open' ? this.#openUntil - now : 0;
    const untilNextCheck = this.#ejected ? this.#lastHealthCheckAt + this.config.healthCheck.intervalMs - now : 0;
    return Math.max(1, Math.ceil(Math.max(untilHalfOpen, untilNextCheck) / 1000));
  }

  /** Whether a call would be admitted now, without taking a probe slot (used by the balancer). */
  admits(): boolean {
    if (this.#ejected) return false;
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') return this.now() >= this.#openUntil;
    return this.#probeSlotFree();
  }

  /** Takes permission for one call; returns false when it must fail fast. */
  tryAcquire(): boolean {
    if (this.#ejected) return false;
    if (this.#state === 'open') {
      if (this.now() < this.#openUntil) return false;
      this.#transition('half-open', 'open period elapsed');
    }
    if (this.#state === 'half-open') {
      if (!this.#probeSlotFree()) return false;
      this.#probesInFlight++;
    }
    return true;
  }

  /**
   * At most `halfOpenProbes` probes per half-open period, not merely in flight at once:
   * a probe that already succeeded still holds its slot until the breaker closes.
   */
  #probeSlotFree(): boolean {
    return this.#probesInFlight + this.#probeSuccesses < this.config.halfOpenProbes;
  }

  /** Reports how an admitted call ended. `wasProbe` is what tryAcquire saw. */
  record(outcome: Outcome, wasProbe: boolean): void {
    if (wasProbe && this.#probesInFlight > 0) this.#probesInFlight--;
    if (outcome === 'ignored') return;
    if (this.#state === 'half-open') {
      // Only probes decide the trial; a call admitted before the breaker opened says
      // nothing about the upstream now.
      if (!wasProbe) return;
      if (outcome === 'failure') this.#open('half-open probe failed');
      else if (++this.#probeSuccesses >= this.config.halfOpenProbes) this.#close('half-open probes succeeded');
      return;
    }
    if (this.#state === 'open') return; // a call admitted before opening finished late
    const bucket = this.#bucket();
    if (outcome === 'success') {
      bucket.successes++;
      this.#consecutiveFailures = 0;
      return;
    }
    bucket.failures++;
    this.#consecutiveFailures++;
    if (this.#consecutiveFailures >= this.config.consecutiveFailures) {
      this.#open(`${this.#consecutiveFailures} consecutive failures`);
      return;
    }
    const { total, failures } = this.#totals();
    if (total >= this.config.minimumRequests && failures / total >= this.config.failureRateThreshold) {
      this.#open(`failure rate ${failures}/${total} over ${this.config.windowMs} ms`);
    }
  }

  /** An active health check's verdict: a failed one ejects the target, a passing one re-admits it. */
  healthCheck(healthy: boolean): void {
    this.#lastHealthCheckAt = this.now();
    if (this.#ejected !== healthy) return;
    const from = this.state;
    this.#ejected = !healthy;
    this.#report(from, healthy ? 'health check passed' : 'health check failed');
  }

  #open(reason: string): void {
    this.#openUntil = this.now() + this.config.openMs;
    this.#probeSuccesses = 0;
    this.#transition('open', reason);
  }

  #close(reason: string): void {
    this.#buckets.length = 0;
    this.#consecutiveFailures = 0;
    this.#probeSuccesses = 0;
    this.#transition('closed', reason);
  }

  #transition(to: BreakerState, reason: string): void {
    if (this.#state === to) return;
    const from = this.state;
    this.#state = to;
    if (to === 'half-open') this.#probeSuccesses = 0;
    this.#report(from, reason);
  }

  /** Reports a change of what callers see; a traffic transition while ejected changes nothing they see. */
  #report(from: BreakerState, reason: string): void {
    const to = this.state;
    if (from !== to) this.onChange(from, to, reason);
  }

  #bucket(): Bucket {
    const now = this.now();
    const start = now - (now % this.#bucketMs);
    const last = this.#buckets[this.#buckets.length - 1];
    if (last && last.start === start) return last;
    const fresh = { start, successes: 0, failures: 0 };
    this.#buckets.push(fresh);
    // Bounded: never more buckets than the window holds.
    while (this.#buckets.length > this.config.buckets) this.#buckets.shift();
    return fresh;
  }

  #totals(): { total: number; failures: number } {
    const horizon = this.now() - this.config.windowMs;
    let successes = 0;
    let failures = 0;
    for (const b of this.#buckets) {
      if (b.start + this.#bucketMs <= horizon) continue;
      successes += b.successes;
      failures += b.failures;
    }
    return { total: successes + failures, failures };
  }
}
