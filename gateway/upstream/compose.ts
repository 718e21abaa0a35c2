import type { Policy, UpstreamCall } from './types.ts';

/**
 * Builds a pipeline from policies listed outermost first (undici's `compose`):
 * `compose(transport, a, b)` runs a → b → transport. `null` entries are skipped so
 * optional policies need no branching at the call site.
 */
export function compose(transport: UpstreamCall, ...policies: ReadonlyArray<Policy | null>): UpstreamCall {
  return policies.reduceRight<UpstreamCall>((next, policy) => (policy ? policy(next) : next), transport);
}
