import type { UpstreamEvents } from '../upstream/types.ts';
import type { Logger } from './logger.ts';
import type { GatewayMetrics } from './metrics.ts';
import { addUpstreamCall } from './request-telemetry.ts';

/**
 * What the pipelines report, turned into metrics, the request's upstream time (for its
 * access log line) and policy log lines.
 */
export function upstreamTelemetryEvents(metrics: GatewayMetrics, log: Logger): UpstreamEvents {
  return {
    onCall: (e) => {
      metrics.upstreamCall({ upstream: e.upstream, kind: e.kind, statusCode: e.statusCode, errorCode: e.errorCode, durationSeconds: e.durationMs / 1000 });
      addUpstreamCall(e.ctx, e.durationMs);
    },
    onBreakerStateChange: (e) => {
      metrics.breakerTransition(e.upstream, e.origin, e.from, e.to);
      log.warn({ upstream: e.upstream, origin: e.origin, from: e.from, to: e.to, reason: e.reason }, 'circuit breaker state changed');
    },
    onRetry: (e) => metrics.retry(e.upstream, e.reason),
  };
}

/** Every subscriber hears every event, in order; one that throws cannot fail a call or silence the rest. */
export function combineEvents(...all: ReadonlyArray<UpstreamEvents | undefined>): UpstreamEvents {
  const list = all.filter((e): e is UpstreamEvents => e !== undefined);
  const fan =
    <K extends keyof UpstreamEvents>(key: K) =>
    (event: Parameters<NonNullable<UpstreamEvents[K]>>[0]): void => {
      for (const e of list) {
        try {
          (e[key] as ((ev: typeof event) => void) | undefined)?.(event);
        } catch {
          // an observer's bug must not break the request path
        }
      }
    };
  return { onCall: fan('onCall'), onBreakerStateChange: fan('onBreakerStateChange'), onRetry: fan('onRetry') };
}
