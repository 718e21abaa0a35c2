import { INVALID_SPAN_CONTEXT, SpanStatusCode, context, trace, type Attributes, type Span } from '@opentelemetry/api';
import { isTracingActive, tracer } from './tracing.ts';

export type { Attributes, Span } from '@opentelemetry/api';

/** Handed to `withSpan` callbacks when tracing is off: records nothing, costs nothing. */
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Runs `fn` in a child span of whatever is active (the request's span, a resolver's
 * parent span), for BFF resolver steps and other work worth seeing in a trace:
 *
 *     const user = await withSpan('mobile.home.loadUser', () => supergraph.query(...), { 'user.id': id });
 *
 * The span ends when `fn` settles; a throw marks it as an error and is rethrown. With
 * tracing off `fn` simply runs (given a no-op span).
 */
export async function withSpan<T>(name: string, fn: (span: Span) => Promise<T> | T, attributes?: Attributes): Promise<T> {
  if (!isTracingActive()) return fn(NOOP_SPAN);
  return tracer().startActiveSpan(name, attributes ? { attributes } : {}, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      markError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Records an error on a span (type and message only: messages are ours, never bodies). */
export function markError(span: Span, error: unknown, type?: string): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.setAttribute('error.type', type ?? ((error as { code?: unknown })?.code as string | undefined) ?? err.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

/** The span active now, when tracing is on and one is recording. */
export function activeSpan(): Span | undefined {
  if (!isTracingActive()) return undefined;
  const span = trace.getSpan(context.active());
  return span?.isRecording() ? span : undefined;
}

/** What a rate-limit decision looks like on a trace (the shape the limiter's `onDecision` hook reports). */
export interface RateLimitSpanEvent {
  readonly tier: string;
  readonly door: string;
  readonly scope: string;
  readonly allowed: boolean;
  readonly reason: string;
}

/**
 * Puts a rate-limit decision on the active span (the request's): an event per check and
 * the last decision as attributes. Called from the limiter's `onDecision` hook, which runs
 * inside the request, so no span of its own is needed; wrap `limiter.check` in `withSpan`
 * when the store's latency (Redis) should show as its own span.
 */
export function traceRateLimitDecision(event: RateLimitSpanEvent): void {
  const span = activeSpan();
  if (!span) return;
  const attributes = {
    'rate_limit.tier': event.tier,
    'rate_limit.scope': event.scope,
    'rate_limit.decision': event.allowed ? 'allowed' : 'denied',
    'rate_limit.reason': event.reason,
  };
  span.addEvent('rate_limit.decision', attributes);
  span.setAttributes(attributes);
}
