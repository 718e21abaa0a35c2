import { createGateway, type Gateway, type GatewayOptions } from '../../gateway/app.ts';
import { loadConfig, type GatewayConfigInput } from '../../gateway/config/index.ts';
import { createLogger } from '../../gateway/telemetry/logger.ts';
import { deepMerge, type PlainObject } from '../../gateway/config/merge.ts';

/**
 * Starts a real gateway on a free loopback port with `overrides` on top of the defaults
 * (env is ignored so the developer's shell cannot change a test).
 */
export async function startGateway(overrides: GatewayConfigInput = {}, options: GatewayOptions = {}): Promise<Gateway> {
  // Limits stay on (the code path runs) but high enough that only rate-limit tests meet them.
  const generous = { limit: 1_000_000 };
  const base: GatewayConfigInput = {
    server: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
    rateLimit: { tiers: { anonymous: generous, free: generous, standard: generous, premium: generous, enterprise: generous }, expensive: { limit: 1_000_000 } },
  };
  const config = loadConfig({ env: {}, overrides: deepMerge(base as PlainObject, overrides as PlainObject) as GatewayConfigInput });
  const gateway = await createGateway(config, { log: options.log ?? createLogger(config.log.level), ...options });
  await gateway.listen();
  return gateway;
}
