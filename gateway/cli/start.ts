import { createGateway } from '../app.ts';
import { ConfigError, loadConfig } from '../config/index.ts';
import { startTracing } from '../telemetry/tracing.ts';
import { applyHeapGrowth } from './heap-growth.ts';
import { shutdownOnSignal } from './shutdown-on-signal.ts';

/** The gateway alone, configured from env (+ GATEWAY_CONFIG file). This is what a container runs. */
async function main(): Promise<void> {
  const config = loadConfig();
  applyHeapGrowth(config.server.heapGrowthPercent);
  // First, so the first request is traced. No auto-instrumentation is used, so it need not
  // run before other imports (see tracing.ts). Off, and nearly free, unless OTEL_* asks.
  const tracing = await startTracing();
  const gateway = await createGateway(config);
  const url = await gateway.listen();
  gateway.log.info({ url, tracing: tracing.enabled }, `bff-gateway listening on ${url}`);
  shutdownOnSignal(
    async () => {
      await gateway.close();
      // After the drain, so the last requests' spans are exported too.
      await tracing.shutdown();
    },
    config.server.shutdownDelayMs + config.server.drainTimeoutMs + 5_000,
    (m) => gateway.log.info(m),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
