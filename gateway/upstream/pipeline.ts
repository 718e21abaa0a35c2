import { bulkheadPolicy } from './bulkhead.ts';
import { balancerPolicy } from './balancer.ts';
import { BreakerGroup, circuitBreakerPolicy } from './circuit-breaker.ts';
import { compose } from './compose.ts';
import { identityPolicy } from './identity.ts';
import { retryPolicy } from './retry.ts';
import { telemetryPolicy } from './telemetry.ts';
import { timeoutPolicy } from './timeout.ts';
import { traceAttemptPolicy } from './trace-attempt.ts';
import { createTransport, type PoolRegistry } from './transport.ts';
import type { UpstreamCall, UpstreamDefinition, UpstreamEvents } from './types.ts';

export interface Pipeline {
  readonly definition: UpstreamDefinition;
  readonly call: UpstreamCall;
  readonly breakers: BreakerGroup;
}

/**
 * The one place an upstream's pipeline is assembled, outermost first. The order is the
 * design: identity is stripped/added once per logical call; the bulkhead bounds
 * concurrency including retries' waits; retry sits above the balancer so a retry can
 * pick another target, and above the breaker so an open breaker stops retries at once;
 * the timeout bounds each attempt. Telemetry is outermost so its span covers the whole
 * call and is the trace context identity propagates.
 */
export function buildPipeline(definition: UpstreamDefinition, pools: PoolRegistry, events: UpstreamEvents): Pipeline {
  const { name, kind, targets, policy } = definition;
  const breakers = new BreakerGroup(name, targets, policy.breaker, events);
  const call = compose(
    createTransport(name, pools),
    telemetryPolicy(name, kind, events),
    identityPolicy(),
    bulkheadPolicy(name, policy.bulkhead),
    retryPolicy(name, policy.retry, events),
    balancerPolicy(targets, policy.breaker.enabled ? breakers.admits : () => true),
    traceAttemptPolicy(policy.breaker.enabled ? breakers : null),
    policy.breaker.enabled ? circuitBreakerPolicy(breakers) : null,
    timeoutPolicy(name, policy.timeoutMs),
  );
  return { definition, call, breakers };
}
