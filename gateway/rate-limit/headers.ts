import type { Decision } from './store.ts';

/**
 * The rate-limit response headers (IETF draft `RateLimit-*` fields, one policy per
 * response): `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds until
 * the quota is whole again) and `RateLimit-Policy` on every limited response, plus
 * `Retry-After` (seconds) on a denial. Names are lower case like every header we set.
 *
 * A decision the store could not make says nothing it does not know: fail-open sends no
 * quota (it would be invented), fail-closed sends only `Retry-After`.
 */
export function rateLimitHeaders(decision: Decision, windowMs: number): Record<string, string> {
  if (decision.reason === 'store-unavailable') {
    return decision.allowed ? {} : { 'retry-after': String(seconds(decision.retryAfterMs)) };
  }
  const headers: Record<string, string> = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(Math.ceil(decision.resetMs / 1000)),
    'ratelimit-policy': `${decision.limit};w=${Math.ceil(windowMs / 1000)}`,
  };
  if (!decision.allowed) headers['retry-after'] = String(seconds(decision.retryAfterMs));
  return headers;
}

/** Whole seconds, rounded up, at least 1: "retry after 0 s" would invite a hot loop. */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
