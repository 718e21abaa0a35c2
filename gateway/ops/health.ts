import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.ts';

/** A readiness condition: a name and whether it holds now (async for store pings). */
export interface ReadinessCheck {
  readonly name: string;
  check(): boolean | Promise<boolean>;
}

/** `/healthz`: the process is alive and serving HTTP. Never depends on upstreams. */
export function sendLiveness(res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok' }, { 'cache-control': 'no-store' });
}

/** `/readyz`: 200 only when every check holds (supergraph loaded, stores reachable, not draining). */
export async function sendReadiness(res: ServerResponse, checks: readonly ReadinessCheck[]): Promise<void> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        return [c.name, await c.check()] as const;
      } catch {
        return [c.name, false] as const;
      }
    }),
  );
  const ready = results.every(([, ok]) => ok);
  sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) }, { 'cache-control': 'no-store' });
}
