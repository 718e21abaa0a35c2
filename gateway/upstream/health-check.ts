import type { Pool } from 'undici';
import type { Logger } from '../telemetry/logger.ts';
import type { Pipeline } from './pipeline.ts';
import { poolOptions, type PoolRegistry } from './transport.ts';

/**
 * Active health checks: `GET <origin><path>` per target on an interval. Anything but a
 * 2xx ejects the target, a 2xx re-admits it; neither touches the traffic breaker (see
 * breaker-state.ts). Probes go straight to the pool: they are the health check's own
 * traffic, not a client's call, so no breaker may block them.
 */
export function startHealthChecks(pipeline: Pipeline, pools: PoolRegistry, log: Logger): () => void {
  const { healthCheck } = pipeline.definition.policy.breaker;
  const options = poolOptions(pipeline.definition.policy);
  let running = false;
  const probeAll = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      await Promise.all(
        [...pipeline.breakers.entries()].map(async ([origin, breaker]) => {
          const healthy = await probe(pools.get(origin, options), healthCheck.path, healthCheck.timeoutMs);
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

async function probe(pool: Pool, path: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await pool.request({ method: 'GET', path, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump();
    return res.statusCode >= 200 && res.statusCode < 300;
  } catch {
    return false;
  }
}
