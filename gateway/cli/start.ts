import { createGateway, type Gateway } from '../app.ts';
import { loadConfig } from '../config/index.ts';
import { startTracing } from '../telemetry/tracing.ts';
import { applyHeapGrowth } from './heap-growth.ts';
import { listenProblem, probeListen } from './listen-check.ts';
import { shutdownOnSignal } from './shutdown-on-signal.ts';
import { exitOnStartupFailure, StartupError } from './startup-failure.ts';

const COMMAND = 'npm run start:gateway';

/** The gateway alone, configured from env (+ GATEWAY_CONFIG file). This is what a container runs. */
async function main(): Promise<void> {
  const config = loadConfig();
  applyHeapGrowth(config.server.heapGrowthPercent);
  const { host, port } = config.server;
  // Before connecting to anything: a taken port is the most common start-up failure.
  await probeListen(host, port).catch((error: unknown) => rethrowListenError(error, host, port));
  // First, so the first request is traced. No auto-instrumentation is used, so it need not
  // run before other imports (see tracing.ts). Off, and nearly free, unless OTEL_* asks.
  const tracing = await startTracing();
  let gateway: Gateway | undefined;
  let url: string;
  try {
    gateway = await createGateway(config);
    url = await gateway.listen();
  } catch (error) {
    // Whatever was built (pools, the Redis client) is closed, so the process can exit.
    await gateway?.close();
    await tracing.shutdown();
    return rethrowListenError(error, host, port);
  }
  const g = gateway;
  g.log.info({ url, tracing: tracing.enabled }, `bff-gateway listening on ${url}`);
  shutdownOnSignal(
    async () => {
      await g.close();
      // After the drain, so the last requests' spans are exported too.
      await tracing.shutdown();
    },
    config.server.shutdownDelayMs + config.server.drainTimeoutMs + 5_000,
    (m) => g.log.info(m),
  );
}

function rethrowListenError(error: unknown, host: string, port: number): never {
  const problem = listenProblem(error, host, port, COMMAND);
  throw problem ? new StartupError(problem) : error;
}

main().catch(exitOnStartupFailure);
