import { INVALID_SPAN_CONTEXT, SpanStatusCode, context, trace, type Attributes, type Span } from '@opentelemetry/api';
import { isTracingActive, tracer } from './tracing.ts';

export type { Attributes, Span } from '@opentelemetry/api';

/** Handed to `withSpan` callbacks when tracing is off: records nothing, costs nothing. */
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Runs `fn` in a child span of whatever is active (the request's span, a resolver's
 * span), for work worth seeing in a trace. BFF steps need none of their own: the kit
 * already spans each resolver, supergraph operation and REST call (bffs/kit/step-spans.ts).
 *
 *     const score = await withSpan('web.dashboard.score', () => scoreOrders(orders), { 'orders.count': orders.length });
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

/**
 * Runs `fn` in a child span of whatever is active, keeping `fn` synchronous when it is: the
 * span ends when `fn` returns, or when the promise it returns settles. For wrappers of
 * functions that may or may not be async (GraphQL resolvers), where `withSpan` would turn
 * every answer into a promise. With tracing off `fn` simply runs.
 */
export function inSpan<T>(name: string, fn: () => T, attributes?: Attributes): T {
  if (!isTracingActive()) return fn();
  const span = tracer().startSpan(name, attributes ? { attributes } : {});
  let result: T;
  try {
    result = context.with(trace.setSpan(context.active(), span), fn);
  } catch (error) {
    markError(span, error);
    span.end();
    throw error;
  }
  if (!isPromiseLike(result)) {
    span.end();
    return result;
  }
  return result.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      markError(span, error);
      span.end();
      throw error;
    },
  ) as T;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
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
