import { context } from '@opentelemetry/api';
import { isGatewayError, type GatewayError } from '../errors/gateway-error.ts';
import type { RequestContext } from '../context/request-context.ts';
import { endUpstreamSpan, startUpstreamSpan } from '../telemetry/upstream-span.ts';
import { onBodyDone } from './body-done.ts';
import type { Policy, UpstreamEvents, UpstreamKind } from './types.ts';

/**
 * Outermost policy: one span per logical call (retries included) when tracing is on, run
 * as the active context so the identity policy propagates this span's trace context; and
 * every call reported with its outcome and duration through `UpstreamEvents`, where
 * metrics and logs subscribe. The duration runs to the whole answer when the caller had
 * its body read in the call, to the headers when the body streams on; the span ends when
 * the body is done. A call the upstream failed is logged at warn on the request's logger.
 */
export function telemetryPolicy(upstream: string, kind: UpstreamKind, events: UpstreamEvents): Policy {
  const onCall = events.onCall;
  return (next) => async (req) => {
    const started = performance.now();
    const traced = startUpstreamSpan(upstream, kind, req.method, req.ctx, req.operationName);
    try {
      const res = await (traced ? context.with(traced.context, () => next(req)) : next(req));
      onCall?.({ upstream, kind, method: req.method, statusCode: res.statusCode, errorCode: undefined, durationMs: performance.now() - started, ctx: req.ctx });
      if (traced) onBodyDone(res.body, () => endUpstreamSpan(traced.span, { statusCode: res.statusCode }));
      return res;
    } catch (error) {
      const durationMs = performance.now() - started;
      const errorCode = isGatewayError(error) ? error.code : 'INTERNAL_SERVER_ERROR';
      onCall?.({ upstream, kind, method: req.method, statusCode: undefined, errorCode, durationMs, ctx: req.ctx });
      if (traced) endUpstreamSpan(traced.span, { errorCode });
      if (isGatewayError(error) && UPSTREAM_FAULTS.has(error.code)) logFault(req.ctx, upstream, error, durationMs);
      throw error;
    }
  };
}

/**
 * What the upstream did wrong, worth an operator's look. Fail-fast refusals (CIRCUIT_OPEN,
 * UPSTREAM_OVERLOADED) are not: the breaker's transitions are logged once, and one line
 * per refused call would flood the log in an outage. Nor is a client that left.
 */
const UPSTREAM_FAULTS: ReadonlySet<string> = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE', 'UPSTREAM_RESPONSE_TOO_LARGE']);

function logFault(ctx: RequestContext, upstream: string, error: GatewayError, durationMs: number): void {
  ctx.log.warn(
    { upstream, code: error.code, ...error.extensions, durationMs: Math.round(durationMs * 10) / 10, ...(error.cause === undefined ? {} : { err: error.cause }) },
    error.message,
  );
}
