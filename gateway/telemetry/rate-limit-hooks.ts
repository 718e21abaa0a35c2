import type { RateLimitDecisionEvent } from '../rate-limit/index.ts';
import type { GatewayMetrics } from './metrics.ts';
import { traceRateLimitDecision } from './rate-limit-span.ts';

export interface RateLimitTelemetryHooks {
  onDecision(event: RateLimitDecisionEvent): void;
  onStoreError(error: Error): void;
}

/**
 * The limiter's and the store's hooks: every decision counted and put on the active span
 * as an event (rate-limit-span.ts), every store failure counted; `extra` (tests,
 * embedders) hears them too.
 */
export function rateLimitTelemetry(
  metrics: GatewayMetrics,
  extra: { onDecision?: ((event: RateLimitDecisionEvent) => void) | undefined; onStoreError?: ((error: Error) => void) | undefined } = {},
): RateLimitTelemetryHooks {
  return {
    onDecision: (event) => {
      metrics.rateLimitDecision(event.tier, event.door, event.allowed);
      traceRateLimitDecision(event);
      extra.onDecision?.(event);
    },
    onStoreError: (error) => {
      // Only the Redis store can fail to decide.
      metrics.rateLimitStoreError('redis');
      extra.onStoreError?.(error);
    },
  };
}
