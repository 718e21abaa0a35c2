import { closeAllServices, startAllServices } from '../../subgraphs/catalog.ts';
import { createGateway } from '../app.ts';
import { ConfigError, loadConfig } from '../config/index.ts';
import { applyHeapGrowth } from './heap-growth.ts';
import { demoConfig } from './demo-config.ts';
import { shutdownOnSignal } from './shutdown-on-signal.ts';
import { startTracing } from '../telemetry/tracing.ts';
import { DEV_JWKS_PATH } from '../auth/index.ts';

// Anonymous, across products → inventory (@requires) → reviews → users.
const EXAMPLE_QUERY = `{ topProducts(first: 2) { name priceCents shippingEstimateCents reviews(first: 2) { rating author { name } } } }`;
const HOME_QUERY = `{ home { user { name } activeOrders { id status formattedTotal } unreadNotifications } }`;

/**
 * `npm start`: every demo subgraph and REST service on its default port, then the gateway
 * in front of them, with embedded defaults (in-memory rate limits, the dev signing key).
 * Env vars still apply (e.g. PORT, REDIS_URL), so the demo can be pointed at real parts.
 */
async function main(): Promise<void> {
  // Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_TRACES_EXPORTER) is set; see tracing.ts.
  const tracing = await startTracing();
  // DEMO_PORTS=free puts the upstreams on free ports (tests, or a machine where 4001-4011 are taken).
  const services = await startAllServices({ ports: process.env.DEMO_PORTS === 'free' ? 'free' : 'default' });
  let gateway;
  try {
    const config = loadConfig({ env: process.env, overrides: demoConfig(services) });
    applyHeapGrowth(config.server.heapGrowthPercent);
    gateway = await createGateway(config);
  } catch (error) {
    await closeAllServices(services);
    throw error;
  }
  const url = await gateway.listen();
  const g = gateway;
  const lines = [
    '',
    `bff-gateway demo is up`,
    ``,
    `  GraphQL (supergraph)  POST ${url}/graphql`,
    `  BFFs (per client)     POST ${url}/bff/mobile/graphql   ${url}/bff/web/graphql   ${url}/bff/admin/graphql`,
    `  REST passthrough      ${url}/api/v1/notifications/notifications?userId=u1`,
    `  Dev JWKS              ${url}${DEV_JWKS_PATH}`,
    `  Health                ${url}/healthz   ${url}/readyz   ${url}/metrics`,
    ``,
    ...services.map((s) => `  ${s.kind === 'subgraph' ? 'subgraph' : 'rest    '}  ${s.name.padEnd(16)} ${s.url}`),
    ``,
    `Try:`,
    `  curl -s ${url}/graphql -H 'content-type: application/json' \\`,
    `    -d '${JSON.stringify({ query: EXAMPLE_QUERY })}'`,
    ``,
    `A dev token (signed with the key this gateway trusts; the BFF doors require one):`,
    `  TOKEN=$(npm run -s token -- --sub u1 --role admin)`,
    `  curl -s ${url}/bff/mobile/graphql -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `    -d '${JSON.stringify({ query: HOME_QUERY })}'`,
    ``,
    `Ctrl-C stops everything (in-flight requests finish first).`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  shutdownOnSignal(
    async () => {
      await g.close();
      await closeAllServices(services);
      await tracing.shutdown();
    },
    g.config.server.shutdownDelayMs + g.config.server.drainTimeoutMs + 5_000,
    (m) => process.stdout.write(`${m}\n`),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
