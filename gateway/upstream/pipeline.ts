import { answerBodyPolicy } from './answer-body.ts';
import { bulkheadPolicy } from './bulkhead.ts';
import { balancerPolicy } from './balancer.ts';
import { BreakerGroup, circuitBreakerPolicy } from './circuit-breaker.ts';
import { compose } from './compose.ts';
import type { RequestSigner } from '../identity-signing/signer.ts';
import { headerRulesPolicy, type HeaderRules } from './header-rules.ts';
import { identityPolicy } from './identity.ts';
import { retryPolicy } from './retry.ts';
import { signRequestPolicy } from './sign-request.ts';
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
 * design: the `headers` rules, then identity, run once per logical call (the rules first,
 * so whatever a rule let through, identity still strips client copies of the gateway's
 * headers and sets its own last); the bulkhead bounds
 * concurrency including retries' waits; retry sits above the balancer so a retry can
 * pick another target, and above the breaker so an open breaker stops retries at once;
 * the timeout bounds each attempt, including the answer's body where the caller has it
 * read (that read is below the timeout and the breaker, so a body that stalls is a
 * timeout and a broken one a failure the breaker counts). Telemetry is outermost so its span covers the whole
 * call and is the trace context identity propagates. Each attempt is signed just before it
 * goes (below retry, bulkhead and breaker), so its timestamp is fresh and a call the
 * breaker refuses costs no HMAC.
 */
export function buildPipeline(definition: UpstreamDefinition, pools: PoolRegistry, events: UpstreamEvents, signer: RequestSigner, headerRules: HeaderRules): Pipeline {
  const { name, kind, targets, policy } = definition;
  const breakers = new BreakerGroup(name, targets, policy.breaker, events);
  const call = compose(
    createTransport(name, pools, policy),
    telemetryPolicy(name, kind, events),
    headerRulesPolicy(headerRules.stepsFor(name)),
    identityPolicy({ forwardCredentials: policy.forwardCredentials }),
    bulkheadPolicy(name, policy.bulkhead),
    retryPolicy(name, policy.retry, events),
    balancerPolicy(targets, policy.breaker.enabled ? breakers.admits : () => true),
    traceAttemptPolicy(policy.breaker.enabled ? breakers : null),
    policy.breaker.enabled ? circuitBreakerPolicy(breakers) : null,
    signRequestPolicy(name, signer),
    timeoutPolicy(name, policy.timeoutMs),
    answerBodyPolicy(name, policy),
  );
  return { definition, call, breakers };
}
