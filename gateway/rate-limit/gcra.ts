import type { Decision } from './store.ts';

/**
 * GCRA in token-bucket form, as a pure step function (the memory store runs it; the Redis
 * store runs the same steps in Lua, `redis-script.ts`, and tests hold both to one table).
 *
 * A bucket holds up to `limit` tokens and refills at `limit / windowMs` tokens per ms.
 * A request of `cost` is admitted iff the bucket holds `cost` tokens; a denied request
 * changes nothing. A missing bucket is a full one, so state may expire once it would be full.
 */
export interface BucketState {
  /** Tokens left after the last admitted request (fractional between refills). */
  readonly tokens: number;
  /** When `tokens` was computed, in the clock's ms. */
  readonly at: number;
}

/**
 * Float noise allowance: refill sums such as 0.1 + 0.2 must not turn a whole token into
 * 0.9999999. Far below one token, so it can never admit an extra request.
 */
export const TOKEN_EPSILON = 1e-9;

export function gcraStep(
  state: BucketState | undefined,
  now: number,
  limit: number,
  windowMs: number,
  cost: number,
): { decision: Decision; next: BucketState | undefined } {
  const msPerToken = windowMs / limit;
  let tokens = limit;
  if (state) {
    // A clock that steps back (NTP, failover to another Redis) refills nothing, never negative.
    const elapsed = Math.max(0, now - state.at);
    tokens = Math.min(limit, state.tokens + elapsed / msPerToken);
  }
  if (cost <= limit && tokens + TOKEN_EPSILON >= cost) {
    const left = Math.max(0, tokens - cost);
    return {
      decision: {
        allowed: true,
        reason: 'within-limit',
        limit,
        remaining: Math.floor(left + TOKEN_EPSILON),
        resetMs: Math.ceil((limit - left) * msPerToken),
        retryAfterMs: 0,
      },
      next: { tokens: left, at: now },
    };
  }
  return {
    decision: {
      allowed: false,
      reason: 'limit-exceeded',
      limit,
      remaining: Math.floor(tokens + TOKEN_EPSILON),
      resetMs: Math.ceil((limit - tokens) * msPerToken),
      // A cost above the limit can never fit: say "a whole window", the honest upper bound.
      retryAfterMs: cost > limit ? windowMs : Math.max(1, Math.ceil((cost - tokens) * msPerToken)),
    },
    next: state,
  };
}
