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
  const total = targets.reduce((sum, t) => sum + t.weight, 0);
  const pick = (): UpstreamTarget => {
    let best = -1;
    let fallback = -1;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i] as UpstreamTarget;
      current[i] = (current[i] as number) + t.weight;
      if (fallback < 0 || (current[i] as number) > (current[fallback] as number)) fallback = i;
      if (isAvailable(t) && (best < 0 || (current[i] as number) > (current[best] as number))) best = i;
    }
    const chosen = best >= 0 ? best : fallback;
    current[chosen] = (current[chosen] as number) - total;
    return targets[chosen] as UpstreamTarget;
  };
  return (next) => (req) => next({ ...req, target: pick() });
}
