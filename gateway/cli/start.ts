import { createGateway } from '../app.ts';
import { ConfigError, loadConfig } from '../config/index.ts';
import { shutdownOnSignal } from './shutdown-on-signal.ts';

/** The gateway alone, configured from env (+ GATEWAY_CONFIG file). This is what a container runs. */
async function main(): Promise<void> {
  const config = loadConfig();
  const gateway = await createGateway(config);
  const url = await gateway.listen();
  gateway.log.info({ url }, `bff-gateway listening on ${url}`);
  shutdownOnSignal(async () => void (await gateway.close()), config.server.drainTimeoutMs + 5_000, (m) => gateway.log.info(m));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
