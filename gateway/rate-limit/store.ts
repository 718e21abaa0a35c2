/**
 * Where rate-limit state lives. Two implementations behind one interface: `memory` (the
 * embedded default, per process) and `redis` (shared by every gateway instance). Both run
 * the same two algorithms, each decision atomic:
 * - `consume`: GCRA, a token bucket refilled continuously (`gcra.ts`; Lua twin in
 *   `redis-script.ts`) — the inbound limits (why GCRA: `config.ts`);
 * - `consumeWindow`: an exact sliding window, "at most `max` per any `windowMs`"
 *   (`sliding-window.ts`; Lua twin in `redis-window-script.ts`) — the `@rateLimit` field
 *   limits, whose documented meaning (graphql-rate-limit's) is exactly that.
 */

/** Why a decision came out the way it did. */
export type DecisionReason =
  /** Admitted: the bucket had the tokens, or the window had room. */
  | 'within-limit'
  /** Denied: the bucket is empty, or the window is full. */
  | 'limit-exceeded'
  /** The store could not answer in time; `allowed` says what the fail mode chose. */
  | 'store-unavailable';

export interface Decision {
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  /** The limit this decision was taken against. */
  readonly limit: number;
  /** Whole requests still admitted right now after this one. */
  readonly remaining: number;
  /** Until the quota is whole again (`remaining` back to `limit`): the bucket full, the window empty. */
  readonly resetMs: number;
  /** Until this request could have been admitted; 0 when it was. */
  readonly retryAfterMs: number;
}

export type RateLimitStoreKind = 'memory' | 'redis';

/**
 * A key holds one kind of state: a bucket (`consume`) or a window (`consumeWindow`).
 * Callers keep the two apart by naming (the limiter's scopes, the field limits' `field-window:`).
 */
export interface RateLimitStore {
  readonly kind: RateLimitStoreKind;
  /**
   * Takes `cost` tokens (default 1) from the bucket `key` holding `limit` per `windowMs`,
   * atomically; a denied request takes nothing. Rejects only on invalid arguments: a store
   * failure becomes a decision with reason `store-unavailable`.
   */
  consume(key: string, limit: number, windowMs: number, cost?: number): Promise<Decision>;
  /**
   * Records `cost` calls (default 1) in the sliding window `key` iff that keeps the calls
   * admitted in the last `windowMs` at or under `max`, atomically; a denied call records
   * nothing. Exact: no interval of `windowMs` ever holds more than `max` admitted calls,
   * whichever instances made them. Failures and bad arguments as for `consume`.
   */
  consumeWindow(key: string, max: number, windowMs: number, cost?: number): Promise<Decision>;
  /** Whether the store answers now (for `/readyz`). */
  ping(): Promise<boolean>;
  /** Resolves once the store can decide (true), or false after `timeoutMs`; start-up awaits it. */
  waitUntilReady(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** What a store needs to report trouble; pino's logger fits. */
export interface RateLimitLogger {
  warn(obj: object, msg: string): void;
}

/**
 * What went wrong, for `onStoreError`: a `decision` the store could not make (one per
 * decision, whatever the cause), or the `connection` failing (one per failed connection
 * or reconnection attempt, whether or not decisions are being asked for).
 */
export type StoreErrorSource = 'decision' | 'connection';

export type FailMode = 'open' | 'closed';

/** The decision a store gives when it could not reach its state, per fail mode. */
export function unavailableDecision(limit: number, failMode: FailMode): Decision {
  return failMode === 'open'
    ? { allowed: true, reason: 'store-unavailable', limit, remaining: limit, resetMs: 0, retryAfterMs: 0 }
    : { allowed: false, reason: 'store-unavailable', limit, remaining: 0, resetMs: 1_000, retryAfterMs: 1_000 };
}

/** Validates `consume` arguments once per call (bad input is a bug in the caller, not a denial). */
export function assertConsumeArgs(limit: number, windowMs: number, cost: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit must be a positive integer, got ${limit}`);
  if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError(`rate limit window must be a positive integer, got ${windowMs}`);
  if (!Number.isInteger(cost) || cost < 1) throw new RangeError(`rate limit cost must be a positive integer, got ${cost}`);
}
