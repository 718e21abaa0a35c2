import { closeAllServices, SERVICES, startAllServices, type StartedService } from '../../subgraphs/catalog.ts';
import { createGateway, type Gateway } from '../app.ts';
import { checkReferences, loadConfig, type LoadedConfig } from '../config/index.ts';
import { applyHeapGrowth } from './heap-growth.ts';
import { knownNames } from '../known-names.ts';
import { demoConfig, type RunningUpstream } from './demo-config.ts';
import { listenProblem, probeListen, upstreamListenProblem } from './listen-check.ts';
import { shutdownOnSignal } from './shutdown-on-signal.ts';
import { exitOnStartupFailure, StartupError } from './startup-failure.ts';
import { startTracing } from '../telemetry/tracing.ts';
import { DEV_JWKS_PATH } from '../auth/index.ts';

const COMMAND = 'npm start';

// Anonymous, across products → inventory (@requires) → reviews → users.
const EXAMPLE_QUERY = `{ topProducts(first: 2) { name priceCents shippingEstimateCents reviews(first: 2) { rating author { name } } } }`;
const HOME_QUERY = `{ home { user { name } activeOrders { id status formattedTotal } unreadNotifications } }`;

/**
 * `npm start`: every demo subgraph and REST service on its default port, then the gateway
 * in front of them, with embedded defaults (in-memory rate limits, the dev signing key).
 * Config is layered exactly as `npm run start:gateway` layers it, with the demo's wiring
 * of its own upstreams underneath: defaults < demo wiring < GATEWAY_CONFIG file < env
 * (PORT, REDIS_URL, SUBGRAPH_<NAME>_URL, …), so the demo can be pointed at real parts.
 */
async function main(): Promise<void> {
  const env = process.env;
  // DEMO_PORTS=free puts the upstreams on free ports (tests, or a machine where 4001-4011 are taken).
  const ports = env.DEMO_PORTS === 'free' ? 'free' : 'default';
  // The whole config is checked before anything starts, against the upstreams at their
  // default ports: on free ports only their URLs differ, and those are known once they run.
  const planned = loadConfig({ env, base: demoConfig(SERVICES.map(plannedAtDefaultPort)) });
  checkReferences(planned, knownNames(planned));
  applyHeapGrowth(planned.server.heapGrowthPercent);
  const { host, port } = planned.server;
  await probeListen(host, port).catch((error: unknown) => rethrowListenError(error, host, port));

  // Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_TRACES_EXPORTER) is set; see tracing.ts.
  const tracing = await startTracing();
  let services: StartedService[] = [];
  let gateway: Gateway | undefined;
  let url: string;
  try {
    services = await startAllServices({ ports }).catch((error: unknown) => {
      const problem = upstreamListenProblem(error);
      throw problem ? new StartupError(problem) : error;
    });
    gateway = await createGateway(loadConfig({ env, base: demoConfig(services) }));
    url = await gateway.listen();
  } catch (error) {
    // Nothing is left running: the process exits with the one line that says why.
    await gateway?.close();
    await closeAllServices(services);
    await tracing.shutdown();
    return rethrowListenError(error, host, port);
  }
  const g = gateway;
  const lines = [
    '',
    `bff-gateway demo is up`,
    ``,
    `  GraphQL (supergraph)  POST ${url}/graphql`,
    `  BFFs (per client)     POST ${url}/bff/mobile/graphql   ${url}/bff/web/graphql   ${url}/bff/admin/graphql`,
    `  REST passthrough      ${url}/api/v1/notifications/notifications?userId=u1`,
    ...(g.config.ide.enabled === false ? [] : [`  GraphiQL (a browser)  ${url}/graphql   and each BFF door (a dev token is filled in)`]),
    `  Dev JWKS              ${url}${DEV_JWKS_PATH}`,
    `  Health                ${url}/healthz   ${url}/readyz   ${url}/metrics`,
    ``,
    ...upstreamLines(services, g.config),
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

/**
 * The upstreams as the gateway routes to them: each demo service, unless the config file
 * or the env sends its traffic elsewhere (then both are shown), and the routes the config
 * file added, so a reader sees that their config took effect.
 */
function upstreamLines(services: readonly StartedService[], config: LoadedConfig): string[] {
  const line = (kind: string, name: string, where: string): string => `  ${kind.padEnd(8)}  ${name.padEnd(16)} ${where}`;
  const demo = new Set(services.map((s) => s.name));
  const routedTo = (s: StartedService): string | undefined =>
    s.kind === 'subgraph' ? config.subgraphs[s.name]?.url : config.routes.find((r) => r.name === s.name)?.targets.map((t) => t.url).join(' ');
  return [
    ...services.map((s) => {
      const to = routedTo(s);
      const kind = s.kind === 'subgraph' ? 'subgraph' : 'rest';
      return to === undefined || to === s.url ? line(kind, s.name, s.url) : line(kind, s.name, `${to}   (from config; the demo's runs at ${s.url})`);
    }),
    ...config.routes.filter((r) => !demo.has(r.name)).map((r) => line('route', r.name, `/api/v1${r.prefix} → ${r.targets.map((t) => t.url).join(' ')}   (from config)`)),
  ];
}

/** A catalog entry as it will run with `DEMO_PORTS` unset. */
function plannedAtDefaultPort(s: (typeof SERVICES)[number]): RunningUpstream {
  const origin = `http://127.0.0.1:${s.defaultPort}`;
  return { name: s.name, kind: s.kind, url: s.kind === 'subgraph' ? `${origin}/graphql` : origin };
}

function rethrowListenError(error: unknown, host: string, port: number): never {
  const problem = listenProblem(error, host, port, COMMAND);
  throw problem ? new StartupError(problem) : error;
}

main().catch(exitOnStartupFailure);
