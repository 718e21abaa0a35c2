import { CircuitOpenError, isGatewayError } from '../errors/gateway-error.ts';
import type { BreakerConfig } from '../config/index.ts';
import { BreakerStateMachine, type Outcome } from './breaker-state.ts';
import type { Policy, UpstreamEvents, UpstreamTarget } from './types.ts';

/**
 * Per-target breakers of one upstream. A subgraph has one target, so one breaker; a REST
 * route with several targets gets one per target, which is what passive outlier ejection
 * is: the balancer skips targets whose breaker is open.
 */
export class BreakerGroup {
  readonly #byOrigin = new Map<string, BreakerStateMachine>();

  constructor(
    readonly upstream: string,
    targets: readonly UpstreamTarget[],
    config: BreakerConfig,
    events: UpstreamEvents,
  ) {
    // Bounded by configuration: one entry per configured target, created up front.
    for (const t of targets) {
      this.#byOrigin.set(
        t.origin,
        new BreakerStateMachine(config, (from, to, reason) =>
          events.onBreakerStateChange?.({ upstream, origin: t.origin, from, to, reason }),
        ),
      );
    }
  }

  for(target: UpstreamTarget): BreakerStateMachine {
    const b = this.#byOrigin.get(target.origin);
    if (!b) throw new Error(`no breaker for ${this.upstream} target ${target.origin}`);
    return b;
  }

  admits = (target: UpstreamTarget): boolean => this.for(target).admits();

  entries(): IterableIterator<[string, BreakerStateMachine]> {
    return this.#byOrigin.entries();
  }
}

export function circuitBreakerPolicy(group: BreakerGroup): Policy {
  return (next) => async (req) => {
    const target = req.target;
    if (!target) throw new Error('circuit breaker needs the balancer above it');
    const breaker = group.for(target);
    const wasProbe = breaker.state !== 'closed';
    if (!breaker.tryAcquire()) throw new CircuitOpenError(group.upstream, breaker.retryAfterSeconds());
    try {
      const res = await next(req);
      breaker.record(res.statusCode >= 500 ? 'failure' : 'success', wasProbe);
      return res;
    } catch (error) {
      breaker.record(outcomeOf(error), wasProbe);
      throw error;
    }
  };
}

/**
 * Errors that say the upstream is unwell. A body the caller reads is part of the call
 * (the read step is below this policy), so a 200 whose body is broken or stalls counts.
 */
const UPSTREAM_FAULTS: ReadonlySet<string> = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE']);

/**
 * Only the upstream's own faults count. A client that went away, or whose upload broke a
 * limit (the body stream fails the call with PAYLOAD_TOO_LARGE), says nothing about the
 * upstream's health: counting those would let one client open the breaker for everyone.
 * So does an answer over `maxResponseBytes` (UPSTREAM_RESPONSE_TOO_LARGE): its size is
 * usually what the client asked for, not a sign the upstream is failing.
 */
function outcomeOf(error: unknown): Outcome {
  if (!isGatewayError(error)) return 'failure';
  return UPSTREAM_FAULTS.has(error.code) ? 'failure' : 'ignored';
}
