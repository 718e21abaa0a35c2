import { isTracingActive, tracer } from './tracing.ts';
import { activeSpan, markError } from './spans.ts';

/** What a rate-limit check tells its span (the shape of the limiter's result and decision event). */
export interface RateLimitOutcome {
  readonly tier: string;
  readonly scope: string;
  readonly allowed: boolean;
  readonly reason: string;
}

/**
 * A request's rate-limit check as a span of its own, `rate_limit.check`, child of the
 * request's span: a slow store (Redis) shows where the time went, and the decision is on
 * the span (`rate_limit.store`, `.tier`, `.scope`, `.allowed`, `.reason`). A denial is
 * the check working, not an error: the span's status stays unset (the request's 429 says
 * the rest). Callers check `isTracingActive()` first, so tracing off costs no closure.
 */
export async function traceRateLimitCheck<T extends RateLimitOutcome>(store: string, check: () => Promise<T>): Promise<T> {
  if (!isTracingActive()) return check();
  return tracer().startActiveSpan('rate_limit.check', { attributes: { 'rate_limit.store': store } }, async (span) => {
    try {
      const result = await check();
      span.setAttributes({
        'rate_limit.tier': result.tier,
        'rate_limit.scope': result.scope,
        'rate_limit.allowed': result.allowed,
        'rate_limit.reason': result.reason,
      });
      return result;
    } catch (error) {
      markError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Every decision the limiter makes, as an event on the active span: for the request's
 * check that is its `rate_limit.check` span; for checks made further in (a GraphQL door's
 * expensive-operation check), whatever span is active there. Called from the limiter's
 * `onDecision` hook, which runs inside the request.
 */
export function traceRateLimitDecision(event: RateLimitOutcome): void {
  const span = activeSpan();
  if (!span) return;
  span.addEvent('rate_limit.decision', {
    'rate_limit.tier': event.tier,
    'rate_limit.scope': event.scope,
    'rate_limit.allowed': event.allowed,
    'rate_limit.reason': event.reason,
  });
}
