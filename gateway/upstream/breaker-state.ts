import type { BreakerConfig } from '../config/index.ts';
import type { BreakerState } from './types.ts';

export type Outcome = 'success' | 'failure' | 'ignored';

interface Bucket {
  start: number;
  successes: number;
  failures: number;
}

/**
 * The breaker's state machine for one upstream target.
 * closed → open: failure rate over the rolling window ≥ threshold (once `minimumRequests`
 * calls were seen), or `consecutiveFailures` in a row.
 * open → half-open: after `openMs`; up to `halfOpenProbes` calls go through.
 * half-open → closed when that many probes succeed; → open again on any probe failure.
 */
export class BreakerStateMachine {
  #state: BreakerState = 'closed';
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
    return this.#state;
  }

  /** Seconds until the next probe may go through (for Retry-After). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.#openUntil - this.now()) / 1000));
  }

  /** Whether a call would be admitted now, without taking a probe slot (used by the balancer). */
  admits(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') return this.now() >= this.#openUntil;
    return this.#probeSlotFree();
  }

  /** Takes permission for one call; returns false when it must fail fast. */
  tryAcquire(): boolean {
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

  /** Active health check verdicts: a healthy probe closes an open breaker, a failed one opens it. */
  healthCheck(healthy: boolean): void {
    if (healthy && this.#state !== 'closed') this.#close('health check passed');
    else if (!healthy && this.#state !== 'open') this.#open('health check failed');
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
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    if (to === 'half-open') this.#probeSuccesses = 0;
    this.onChange(from, to, reason);
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
