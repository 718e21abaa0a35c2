import { context } from '@opentelemetry/api';
import { isGatewayError } from '../errors/gateway-error.ts';
import { endUpstreamSpan, startUpstreamSpan } from '../telemetry/upstream-span.ts';
import type { Policy, UpstreamEvents, UpstreamKind } from './types.ts';

/**
 * Outermost policy: one span per logical call (retries included) when tracing is on, run
 * as the active context so the identity policy propagates this span's trace context; and
 * every call reported with its outcome and duration (to headers) through `UpstreamEvents`,
 * where metrics and logs subscribe. The span ends when the response body is done.
 */
export function telemetryPolicy(upstream: string, kind: UpstreamKind, events: UpstreamEvents): Policy {
  const onCall = events.onCall;
  return (next) => async (req) => {
    const started = performance.now();
    const traced = startUpstreamSpan(upstream, kind, req.method, req.ctx, req.operationName);
    try {
      const res = await (traced ? context.with(traced.context, () => next(req)) : next(req));
      onCall?.({ upstream, kind, method: req.method, statusCode: res.statusCode, errorCode: undefined, durationMs: performance.now() - started, ctx: req.ctx });
      if (traced) res.body.once('close', () => endUpstreamSpan(traced.span, { statusCode: res.statusCode }));
      return res;
    } catch (error) {
      const errorCode = isGatewayError(error) ? error.code : 'INTERNAL_SERVER_ERROR';
      onCall?.({ upstream, kind, method: req.method, statusCode: undefined, errorCode, durationMs: performance.now() - started, ctx: req.ctx });
      if (traced) endUpstreamSpan(traced.span, { errorCode });
      throw error;
    }
  };
}
