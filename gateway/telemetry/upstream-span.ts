import { SpanKind, SpanStatusCode, context, trace, type Context, type Span } from '@opentelemetry/api';
import type { RequestContext } from '../context/request-context.ts';
import type { UpstreamKind } from '../upstream/types.ts';
import { requestTelemetry } from './request-telemetry.ts';
import { isTracingActive, tracer } from './tracing.ts';

export interface UpstreamSpan {
  readonly span: Span;
  /** Run the rest of the pipeline here: identity propagates *this* span's trace context. */
  readonly context: Context;
}

/**
 * A CLIENT span for one logical upstream call (retries included), child of whatever is
 * active: `gateway.fetch` for planned subgraph fetches, the request's span for the REST
 * passthrough. When the active context has lost the request (a callback scheduled outside
 * it), the request's own span is the parent, so the call never lands in a trace of its own.
 */
export function startUpstreamSpan(upstream: string, kind: UpstreamKind, method: string, ctx: RequestContext, operationName: string | undefined): UpstreamSpan | undefined {
  if (!isTracingActive()) return undefined;
  let parent = context.active();
  const requestSpan = requestTelemetry(ctx).span;
  const activeSpan = trace.getSpan(parent);
  if (requestSpan && activeSpan?.spanContext().traceId !== requestSpan.spanContext().traceId) parent = trace.setSpan(parent, requestSpan);
  const span = tracer().startSpan(
    `${method} ${upstream}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'upstream.name': upstream,
        'upstream.kind': kind,
        'http.request.method': method,
        ...(operationName ? { 'graphql.operation.name': operationName } : {}),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Status of the call as HTTP client spans report it: 4xx and 5xx are errors on the client side. */
export function endUpstreamSpan(span: Span, result: { statusCode: number } | { errorCode: string }): void {
  if ('statusCode' in result) {
    span.setAttribute('http.response.status_code', result.statusCode);
    if (result.statusCode >= 400) {
      span.setAttribute('error.type', String(result.statusCode));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  } else {
    span.setAttribute('error.type', result.errorCode);
    span.setStatus({ code: SpanStatusCode.ERROR, message: result.errorCode });
  }
  span.end();
}
