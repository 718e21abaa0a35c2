import { serializeItem } from 'structured-headers';
import type { Decision } from './store.ts';

/**
 * The rate-limit response fields of draft-ietf-httpapi-ratelimit-headers-11, Structured
 * Field Lists (RFC 9651) of one item per quota policy, the policy named by a String:
 *
 *     RateLimit-Policy: "global";q=60;w=60
 *     RateLimit: "global";r=59;t=1
 *
 * `q` is the policy's quota, `w` its window in seconds; `r` is what remains now and `t`
 * the seconds until more quota is available. Our buckets refill continuously (GCRA), so
 * "more" is the next whole request: on a 429, `t` is exactly `Retry-After` (the seconds
 * until this bucket admits again), and on an admitted request it is when `r` next grows.
 * A response that drew from two buckets (an expensive GraphQL operation) lists both
 * policies, in the order they were drawn; the fields may be split over several lines.
 *
 * `legacy` adds the three fields of the old drafts (-06 and before), `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (= `t`, which that draft also wants equal to
 * `Retry-After`), for clients not yet moved. Their `RateLimit-Policy` (`60;w=60`) is not
 * sent: the name is the current draft's, and one field cannot carry both syntaxes.
 *
 * A decision the store could not make says nothing it does not know: fail-open sends no
 * quota (it would be invented), fail-closed sends only `Retry-After`. Names are lower case
 * like every header we set.
 */

/** The fields a response's policies are listed in; a second policy joins the first's list. */
export const RATE_LIMIT_LIST_FIELDS: ReadonlySet<string> = new Set(['ratelimit-policy', 'ratelimit']);

/** One bucket of one tier as a quota policy, serialized once when the limiter is built. */
export interface QuotaPolicy {
  readonly name: string;
  readonly quota: number;
  readonly windowMs: number;
  /** `"<name>";q=<quota>;w=<window s>`, the `RateLimit-Policy` item. */
  readonly policyItem: string;
  /** `"<name>"`, the bare item that starts this policy's `RateLimit` item. */
  readonly nameItem: string;
}

/** Throws at build time for a name a Structured Field String cannot hold (non-ASCII). */
export function quotaPolicy(name: string, quota: number, windowMs: number): QuotaPolicy {
  const params = new Map<string, number>([
    ['q', quota],
    // The draft's window is whole seconds, at least 1.
    ['w', Math.max(1, Math.ceil(windowMs / 1000))],
  ]);
  return Object.freeze({ name, quota, windowMs, policyItem: serializeItem(name, params), nameItem: serializeItem(name) });
}

export function rateLimitHeaders(decision: Decision, policy: QuotaPolicy, options: { readonly legacy: boolean }): Record<string, string> {
  if (decision.reason === 'store-unavailable') {
    return decision.allowed ? {} : { 'retry-after': String(seconds(decision.retryAfterMs)) };
  }
  const t = secondsUntilMoreQuota(decision, policy);
  // Integers need no escaping: `r`, `t` are serialized here, per request, without a Map.
  const headers: Record<string, string> = {
    'ratelimit-policy': policy.policyItem,
    ratelimit: `${policy.nameItem};r=${decision.remaining};t=${t}`,
  };
  if (options.legacy) {
    headers['ratelimit-limit'] = String(decision.limit);
    headers['ratelimit-remaining'] = String(decision.remaining);
    headers['ratelimit-reset'] = String(t);
  }
  if (!decision.allowed) headers['retry-after'] = String(t);
  return headers;
}

/** A list field's value (as `getHeader` gives it) with one more policy's item: the existing items first. */
export function joinListField(existing: number | string | readonly string[] | undefined, item: string): string {
  const before = existing === undefined ? '' : typeof existing === 'object' ? existing.join(', ') : String(existing);
  return before ? `${before}, ${item}` : item;
}

/**
 * Whole seconds until the bucket holds one more request than `remaining`. Denied: the
 * store's `retryAfterMs`, the very number `Retry-After` is made of. Admitted: GCRA refills
 * one request every `windowMs / limit`, and `resetMs` is when the bucket is full, so the
 * next whole request is `resetMs` less the refills after it.
 */
function secondsUntilMoreQuota(decision: Decision, policy: QuotaPolicy): number {
  if (!decision.allowed) return seconds(decision.retryAfterMs);
  const missing = decision.limit - decision.remaining;
  if (missing <= 0) return 0;
  const msPerRequest = policy.windowMs / decision.limit;
  return seconds(decision.resetMs - (missing - 1) * msPerRequest);
}

/** Whole seconds, rounded up, at least 1: "retry after 0 s" would invite a hot loop. */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
