import { isGatewayError } from '../errors/gateway-error.ts';
import type { Policy, UpstreamEvents, UpstreamKind } from './types.ts';

/**
 * Outermost policy: reports every logical call (after retries) with its outcome and
 * duration. Metrics, logs and spans subscribe through `UpstreamEvents`.
 */
export function telemetryPolicy(upstream: string, kind: UpstreamKind, events: UpstreamEvents): Policy | null {
  const onCall = events.onCall;
  if (!onCall) return null;
  return (next) => async (req) => {
    const started = performance.now();
    try {
      const res = await next(req);
      onCall({ upstream, kind, method: req.method, statusCode: res.statusCode, errorCode: undefined, durationMs: performance.now() - started, ctx: req.ctx });
      return res;
    } catch (error) {
      const errorCode = isGatewayError(error) ? error.code : 'INTERNAL_SERVER_ERROR';
      onCall({ upstream, kind, method: req.method, statusCode: undefined, errorCode, durationMs: performance.now() - started, ctx: req.ctx });
      throw error;
    }
  };
}
