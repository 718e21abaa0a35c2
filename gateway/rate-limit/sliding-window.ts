import type { Decision } from './store.ts';

/**
 * An exact sliding window ("sliding log"), as a pure step function: the memory store runs
 * it; the Redis store runs the same steps in Lua (`redis-window-script.ts`), and the store
 * contract tests hold both to one behaviour.
 *
 * The state is the times of the calls admitted in the last `windowMs`, oldest first. A call
 * at `t` counts while `t + windowMs > now` (graphql-rate-limit's own test). A call of `cost`
 * is admitted iff the calls still counted plus `cost` fit in `max`; it is then recorded
 * `cost` times. A denied call is recorded nowhere, so hammering after a refusal does not
 * push the refusal further out (graphql-rate-limit's `uncountRejected: true`). Hence no
 * interval of `windowMs` ever holds more than `max` admitted calls, and the state never
 * holds more than `max` times.
 *
 * Chosen over the GCRA bucket for field limits because their SDL promises "at most `max`
 * per `window`": a bucket of `max` refilled at `max / window` admits up to 2 × `max` − 1 in
 * the first window (a full burst, then the refill). The price is O(`max`) state per key.
 */
export function slidingWindowStep(
  hits: readonly number[] | undefined,
  now: number,
  max: number,
  windowMs: number,
  cost: number,
): { decision: Decision; next: number[] } {
  const newest = hits?.at(-1);
  // A clock that steps back (NTP, failover to another Redis) must not let an old call look
  // newer than it is, nor the window start before what is recorded: time stands still.
  const at = newest !== undefined && newest > now ? newest : now;
  const live = hits ? hits.slice(firstLive(hits, at - windowMs)) : [];
  const count = live.length;
  if (cost <= max && count + cost <= max) {
    for (let i = 0; i < cost; i++) live.push(at);
    return {
      decision: { allowed: true, reason: 'within-limit', limit: max, remaining: max - count - cost, resetMs: windowMs, retryAfterMs: 0 },
      next: live,
    };
  }
  const leavesAfter = (t: number): number => Math.ceil(t + windowMs - at);
  return {
    decision: {
      allowed: false,
      reason: 'limit-exceeded',
      limit: max,
      remaining: Math.max(0, max - count),
      resetMs: count > 0 ? leavesAfter(live[count - 1]!) : 0,
      // The call fits once the oldest `count + cost - max` calls have left the window. A cost
      // above `max` can never fit: say "a whole window", the honest upper bound.
      retryAfterMs: cost > max ? windowMs : Math.max(1, leavesAfter(live[count + cost - max - 1]!)),
    },
    next: live,
  };
}

/** Index of the first time after `since` (binary search: times are in order). */
function firstLive(hits: readonly number[], since: number): number {
  let lo = 0;
  let hi = hits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (hits[mid]! > since) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
