import type { Span } from '@opentelemetry/api';
import type { RequestContext } from '../context/request-context.ts';

/**
 * What telemetry learns about one request while it runs, for the access log, metrics and
 * spans at its end. Kept beside the RequestContext (a WeakMap keyed by it) rather than on
 * it: only telemetry reads it, and it goes away with the context.
 */
export interface RequestTelemetry {
  /** Sum of the durations of this request's upstream calls (parallel calls add up). */
  upstreamMs: number;
  upstreamCalls: number;
  /** The GraphQL operation, once Apollo resolved it. */
  operationName: string | undefined;
  operationType: string | undefined;
  /** The request's server span, when tracing is on. */
  span: Span | undefined;
}

const byContext = new WeakMap<RequestContext, RequestTelemetry>();

export function requestTelemetry(ctx: RequestContext): RequestTelemetry {
  let t = byContext.get(ctx);
  if (!t) {
    t = { upstreamMs: 0, upstreamCalls: 0, operationName: undefined, operationType: undefined, span: undefined };
    byContext.set(ctx, t);
  }
  return t;
}

export function addUpstreamCall(ctx: RequestContext, durationMs: number): void {
  const t = requestTelemetry(ctx);
  t.upstreamMs += durationMs;
  t.upstreamCalls++;
}
