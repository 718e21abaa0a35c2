import type { IncomingMessage } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import type { RequestContext } from '../context/request-context.ts';
import { isTracingActive, tracer } from './tracing.ts';

export interface ServerSpan {
  readonly span: Span;
  /** The context to run the request in, so every span below (Apollo's, upstream calls) nests under it. */
  readonly context: Context;
}

/**
 * The request's SERVER span, continuing the client's W3C trace context when it sent one
 * (`traceparent`/`tracestate`, through the registered propagator). Undefined when
 * tracing is off. Attribute names follow the OpenTelemetry HTTP semantic conventions.
 */
export function startServerSpan(req: IncomingMessage, ctx: RequestContext, path: string): ServerSpan | undefined {
  if (!isTracingActive()) return undefined;
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const method = req.method ?? 'GET';
  const span = tracer().startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'url.path': path,
        'url.scheme': 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
        'network.protocol.version': req.httpVersion,
        'client.address': ctx.clientIp,
        'server.port': req.socket.localPort ?? 0,
        'gateway.door': ctx.door,
        'gateway.request_id': ctx.requestId,
        ...(req.headers['user-agent'] ? { 'user_agent.original': req.headers['user-agent'] } : {}),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

export interface ServerSpanEnd {
  readonly method: string;
  readonly statusCode: number;
  /** Low-cardinality route for the span name and `http.route`: `/graphql`, `/api/v1/{route}`, … */
  readonly route: string | undefined;
  readonly errorCode: string | undefined;
  readonly attributes: Readonly<Record<string, string | number | undefined>>;
}

export function endServerSpan(span: Span, end: ServerSpanEnd): void {
  if (span.isRecording()) {
    span.updateName(end.route ? `${end.method} ${end.route}` : end.method);
    span.setAttribute('http.response.status_code', end.statusCode);
    if (end.route) span.setAttribute('http.route', end.route);
    for (const [key, value] of Object.entries(end.attributes)) if (value !== undefined) span.setAttribute(key, value);
    if (end.errorCode) span.setAttribute('error.type', end.errorCode);
    // Server spans are errors only for 5xx: a 4xx is the client's mistake, not ours.
    if (end.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, ...(end.errorCode ? { message: end.errorCode } : {}) });
  }
  span.end();
}

/** The trace id to log for a request: our span's, else the client's `traceparent`'s (tracing off). */
export function traceIdOf(span: Span | undefined, clientTraceparent: string | undefined): string | undefined {
  if (span && trace.isSpanContextValid(span.spanContext())) return span.spanContext().traceId;
  const m = clientTraceparent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}/.exec(clientTraceparent) : null;
  return m?.[1];
}
