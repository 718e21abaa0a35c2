import type { Policy, UpstreamTarget } from './types.ts';

/**
 * Picks the target of each attempt: smooth weighted round-robin (nginx's algorithm) over
 * the targets whose health admits traffic. Retries therefore land on a different target
 * when one is available. When every target is unhealthy it still picks one, and the
 * breaker below answers for it (fail fast with CIRCUIT_OPEN).
 */
export function balancerPolicy(targets: readonly UpstreamTarget[], isAvailable: (t: UpstreamTarget) => boolean): Policy {
  if (targets.length === 0) throw new Error('an upstream needs at least one target');
  const only = targets.length === 1 ? targets[0] : undefined;
  if (only) return (next) => (req) => next({ ...req, target: only });

  const current = targets.map(() => 0);
  const pick = (): UpstreamTarget => {
    // As in nginx, only the targets in the running accrue weight: one that was ejected
    // must not come back with a credit that sends it every call until it is spent.
    const up = targets.map((t) => isAvailable(t));
    const anyUp = up.includes(true);
    let best = -1;
    let total = 0;
    for (let i = 0; i < targets.length; i++) {
      if (anyUp && !up[i]) continue;
      const t = targets[i] as UpstreamTarget;
      current[i] = (current[i] as number) + t.weight;
      total += t.weight;
      if (best < 0 || (current[i] as number) > (current[best] as number)) best = i;
    }
    current[best] = (current[best] as number) - total;
    return targets[best] as UpstreamTarget;
  };
  return (next) => (req) => next({ ...req, target: pick() });
}
