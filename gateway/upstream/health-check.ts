import type { Logger } from '../telemetry/logger.ts';
import type { Pipeline } from './pipeline.ts';
import type { PoolRegistry } from './transport.ts';

/**
 * Active health checks: `GET <origin><path>` per target on an interval. A 2xx closes the
 * target's breaker, anything else opens it. Probes go straight to the pool: they are the
 * breaker's own traffic, not a client's call, so they must not be blocked by it.
 */
export function startHealthChecks(pipeline: Pipeline, pools: PoolRegistry, log: Logger): () => void {
  const { healthCheck } = pipeline.definition.policy.breaker;
  let running = false;
  const probeAll = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      await Promise.all(
        [...pipeline.breakers.entries()].map(async ([origin, breaker]) => {
          const healthy = await probe(pools, origin, healthCheck.path, healthCheck.timeoutMs);
          breaker.healthCheck(healthy);
        }),
      );
    } catch (error) {
      log.warn({ err: error, upstream: pipeline.definition.name }, 'health check round failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void probeAll(), healthCheck.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

async function probe(pools: PoolRegistry, origin: string, path: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await pools.get(origin).request({ method: 'GET', path, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump();
    return res.statusCode >= 200 && res.statusCode < 300;
  } catch {
    return false;
  }
}
