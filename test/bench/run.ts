import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rssMiB, startChild, type Child } from './child.ts';
import { freePort, waitReady } from '../helpers/net.ts';
import { combineRounds, runLoad, type LoadResult } from './load.ts';
import { startOtlpStub } from './otlp-stub.ts';
import { BFF_VIEWS, WEB_DASHBOARD_VIEW, benchAuthorization, checkView, countUpstreamRequests } from './bff-views.ts';
import { startHandwrittenBff } from './handwritten-bff.ts';
import { compareHandwritten } from './handwritten-compare.ts';
import { printTable, type Row } from './table.ts';
import { runWorkloadBench } from './workload-bench.ts';
import { formatHmacCost, measureHmacCost } from './hmac-cost.ts';
import { formatHeaderRuleCost, measureHeaderRuleCost } from './header-rules-cost.ts';
import { signAsGateway } from '../helpers/gateway-signature.ts';

/**
 * `npm run bench`: loopback load, bounded in time and count. Two sections:
 *  - demo: our /graphql vs a stock @apollo/gateway over the demo subgraphs (same run), the
 *    /api/v1 passthrough vs the REST service directly, and the BFF screens (the web
 *    dashboard side by side with a hand-written node:http BFF over the same gateway,
 *    handwritten-bff.ts, with the CPU each process spends per dashboard);
 *  - workload: the public graphql-gateways-benchmark's subgraphs and TestQuery through
 *    ours, stock Apollo and Hive Gateway (workload-bench.ts).
 * Options: --duration <s> per target (default 10), --connections <n> (demo section, default
 * 32), --workload-connections <n> (default 50, as the public benchmark's 50 VUs),
 * --only demo|workload (default both).
 */
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION = arg('duration', 10);
const CONNECTIONS = arg('connections', 32);
const WORKLOAD_CONNECTIONS = arg('workload-connections', 50);
const SECTIONS = ['demo', 'workload'] as const;
const only = process.argv.indexOf('--only') >= 0 ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && !SECTIONS.some((s) => s === only)) throw new Error(`--only takes one of ${SECTIONS.join(', ')}, not ${only}`);
const MAX_REQUESTS = 500_000;
/** Interleaved rounds of the /graphql targets (each gets DURATION in all). */
const ROUNDS = 3;

/**
 * Spans four subgraphs (products → inventory's @requires shipping estimate, reviews →
 * users for the authors) and needs no identity: the stock gateway forwards none, and
 * orders are visible only to their owner.
 */
const QUERY = JSON.stringify({
  query: `query Bench { topProducts(first: 5) { name priceCents shippingEstimateCents reviews(first: 2) { rating body author { name } } } }`,
});

const children: Child[] = [];
async function main(): Promise<void> {
  if (only !== 'workload') {
    await demoSection();
    await Promise.all(children.splice(0).map((c) => c.stop()));
  }
  if (only !== 'demo') {
    process.stdout.write(only === undefined ? '\n' : '');
    await runWorkloadBench({ durationSec: DURATION, connections: WORKLOAD_CONNECTIONS, rounds: ROUNDS, maxRequests: MAX_REQUESTS, children });
  }
}

async function demoSection(): Promise<void> {
  // The REST direct row replays one gateway signature for its whole run: the window must cover it.
  const services = await startChild('test/bench/services.ts', { IDENTITY_SIGNATURE_MAX_SKEW_SEC: String(Math.min(3600, Math.max(30, DURATION + 30))) }, /^SERVICES /);
  children.push(services);
  const list = JSON.parse(services.readyLine.slice('SERVICES '.length)) as Array<{ name: string; kind: string; url: string }>;
  const subgraphUrls = Object.fromEntries(list.filter((s) => s.kind === 'subgraph').map((s) => [s.name, s.url]));
  const notifications = list.find((s) => s.name === 'notifications');
  if (!notifications) throw new Error('no notifications service');
  const recommendations = list.find((s) => s.name === 'recommendations');
  if (!recommendations) throw new Error('no recommendations service');

  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const configFile = join(dir, 'gateway.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      routes: [
        { name: 'notifications', prefix: '/notifications', targets: [{ url: notifications.url }] },
        // The web dashboard's recommendations (BFF rows).
        { name: 'recommendations', prefix: '/recommendations', targets: [{ url: recommendations.url }] },
      ],
      // One client hammering from one IP (and one user) would measure 429s: the bench
      // measures serving, as the stock gateway (no limiter) does.
      rateLimit: { enabled: false },
    }),
  );

  /** One of our gateways in its own process, over the bench's subgraphs, ready to serve. */
  const startOurs = async (env: Record<string, string>, config: string = configFile): Promise<{ url: string; child: Child }> => {
    const port = await freePort();
    const child = await startChild(
      'gateway/cli/start.ts',
      {
        PORT: String(port),
        // warn: no access log lines, as the stock gateway writes none either.
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        GATEWAY_CONFIG: config,
        // Tracing off unless the row asks: the traced row is the comparison.
        OTEL_SDK_DISABLED: 'true',
        ...Object.fromEntries(Object.entries(subgraphUrls).map(([n, u]) => [`SUBGRAPH_${n.toUpperCase()}_URL`, u])),
        ...env,
      },
      null,
    );
    children.push(child);
    await waitReady(`http://127.0.0.1:${port}/readyz`);
    return { url: `http://127.0.0.1:${port}`, child };
  };
  const { url: ourUrl, child: ours } = await startOurs({});

  const stockPort = await freePort();
  const stock = await startChild('test/bench/stock-gateway.ts', { PORT: String(stockPort), SUBGRAPH_URLS: JSON.stringify(subgraphUrls), APOLLO_TELEMETRY_DISABLED: 'true' }, /^STOCK READY/);
  children.push(stock);

  const stockUrl = `http://127.0.0.1:${stockPort}`;
  const load = (url: string, extra: Partial<Parameters<typeof runLoad>[0]> = {}) =>
    runLoad({ url, body: QUERY, durationSec: DURATION, maxRequests: MAX_REQUESTS, connections: CONNECTIONS, ...extra });
  const warm = (url: string, extra: Partial<Parameters<typeof runLoad>[0]> = {}) => load(url, { ...extra, durationSec: 2, maxRequests: 20_000 });

  const rows: Row[] = [];
  process.stderr.write(`bench: ${DURATION}s per target, ${CONNECTIONS} connections, loopback only\n`);

  // The four /graphql targets run side by side and are loaded in interleaved rounds
  // (ours, tracing on, auth + rate limit, stock; again; again): a noisy moment of a shared
  // 2-core machine then lands on every row instead of skewing one ratio.
  //
  // Tracing on: a gateway exporting every span (OTLP/HTTP JSON, queue large enough that
  // none is dropped) to a loopback collector stub that counts them.
  const otlp = await startOtlpStub();
  const { url: tracedUrl, child: traced } = await startOurs({
    OTEL_SDK_DISABLED: 'false',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'bff-gateway-bench',
    OTEL_TRACES_SAMPLER: 'always_on',
    OTEL_BSP_MAX_QUEUE_SIZE: '65536',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2048',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  });
  // Auth + Redis rate limiting: every request carries a dev JWT the gateway verifies (jose,
  // ES256; then its verified-token cache) and takes one GCRA decision from Redis (one Lua
  // round trip). Limits are far above what the load can reach: this measures the cost of
  // deciding, not of refusing (a 429 would be cheaper than serving).
  const guardedConfig = join(dir, 'gateway-guarded.json');
  writeFileSync(
    guardedConfig,
    JSON.stringify({
      routes: [],
      auth: { doors: { graphql: { kind: 'authenticated' } } },
      rateLimit: { enabled: true, tiers: { standard: { limit: 1_000_000_000 } }, redis: { keyPrefix: `bench:${process.pid}:` } },
    }),
  );
  const { url: guardedUrl, child: guarded } = await startOurs({ REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, guardedConfig);
  const authorization = await benchAuthorization();

  const graphqlTargets = [
    { name: 'ours /graphql', url: `${ourUrl}/graphql`, child: ours, extra: {} },
    { name: 'ours /graphql tracing on', url: `${tracedUrl}/graphql`, child: traced, extra: {} },
    { name: 'ours /graphql auth+Redis RL', url: `${guardedUrl}/graphql`, child: guarded, extra: { headers: { authorization } } },
    { name: 'stock @apollo/gateway', url: `${stockUrl}/`, child: stock, extra: {} },
  ];
  const warmed = new Map<string, number>();
  for (const t of graphqlTargets) warmed.set(t.name, (await warm(t.url, t.extra)).total);
  const rounds = new Map<string, LoadResult[]>(graphqlTargets.map((t) => [t.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of graphqlTargets) rounds.get(t.name)?.push(await load(t.url, { ...t.extra, durationSec: DURATION / ROUNDS }));
  }
  for (const t of graphqlTargets) {
    rows.push({ name: t.name, ...combineRounds(rounds.get(t.name) ?? []), rss: rssMiB(t.child.pid), peakRss: rssMiB(t.child.pid, 'VmHWM') });
  }
  // Stopping flushes the traced gateway's last spans to the stub before it is counted.
  await traced.stop();
  await otlp.close();
  await guarded.stop();
  const tracedRequests = (rows.find((r) => r.name === 'ours /graphql tracing on')?.total ?? 0) + (warmed.get('ours /graphql tracing on') ?? 0);

  const restPath = '/notifications?userId=u1';
  const get = { method: 'GET' as const, body: undefined };
  // Direct, as the gateway would call it (the service answers nothing unsigned).
  const direct = { ...get, headers: signAsGateway({ url: `${notifications.url}${restPath}`, base: notifications.url }) };
  await warm(`${notifications.url}${restPath}`, direct);
  rows.push({ name: 'REST direct', ...(await load(`${notifications.url}${restPath}`, direct)) });
  await warm(`${ourUrl}/api/v1/notifications${restPath}`, get);
  rows.push({ name: 'REST via /api/v1', ...(await load(`${ourUrl}/api/v1/notifications${restPath}`, get)), rss: rssMiB(ours.pid), peakRss: rssMiB(ours.pid, 'VmHWM') });

  // Per-client BFF screens, as a signed-in user (rate limits are off, so the field limits too).
  // The web dashboard is loaded in interleaved rounds with the hand-written BFF in front of
  // the same gateway (its own process), which first has to answer the same data.
  const handwrittenPort = await freePort();
  const handwritten = await startChild('test/bench/handwritten-bff.ts', { PORT: String(handwrittenPort), GATEWAY_URL: ourUrl }, /^HANDWRITTEN READY /);
  children.push(handwritten);
  let handwrittenReport = '';
  for (const view of BFF_VIEWS) {
    await checkView(ourUrl, view, authorization);
    if (view === WEB_DASHBOARD_VIEW) {
      const compared = await compareHandwritten({
        ourUrl,
        handwrittenUrl: `http://127.0.0.1:${handwrittenPort}`,
        view,
        authorization,
        processes: { gateway: ours, handwritten, services },
        rounds: ROUNDS,
        durationSec: DURATION,
        load,
        warm,
      });
      rows.push(...compared.rows);
      handwrittenReport = compared.report;
      continue;
    }
    const viewLoad = { body: JSON.stringify({ query: view.query }), headers: { authorization } };
    await warm(`${ourUrl}${view.path}`, viewLoad);
    rows.push({ name: `BFF ${view.name}`, ...(await load(`${ourUrl}${view.path}`, viewLoad)), rss: rssMiB(ours.pid), peakRss: rssMiB(ours.pid, 'VmHWM') });
  }

  printTable(rows);
  const upstreamCalls = await countUpstreamRequests(BFF_VIEWS, [
    { name: 'hand-written BFF web dashboard', view: WEB_DASHBOARD_VIEW, start: (gatewayUrl) => startHandwrittenBff({ gatewayUrl }) },
  ]);
  process.stdout.write('\nupstream requests per view (one request, counted by a recording proxy):\n');
  for (const [view, perUpstream] of upstreamCalls) {
    const total = Object.values(perUpstream).reduce((a, b) => a + b, 0);
    process.stdout.write(`  ${view}: ${total} (${Object.entries(perUpstream).sort().map(([u, n]) => `${u} ${n}`).join(', ')})\n`);
  }
  const ratio = (a: string, b: string): string => {
    const x = rows.find((r) => r.name === a);
    const y = rows.find((r) => r.name === b);
    return x && y ? (x.requestsPerSec / y.requestsPerSec).toFixed(2) : 'n/a';
  };
  process.stdout.write(`\nratio ours/stock req/s: ${ratio('ours /graphql', 'stock @apollo/gateway')}\n`);
  process.stdout.write(`ratio auth+Redis rate limit on/off req/s: ${ratio('ours /graphql auth+Redis RL', 'ours /graphql')}\n`);
  process.stdout.write(`ratio passthrough/direct req/s: ${ratio('REST via /api/v1', 'REST direct')}\n`);
  process.stdout.write(`ratio tracing on/off req/s: ${ratio('ours /graphql tracing on', 'ours /graphql')}`);
  process.stdout.write(` (collector stub got ${otlp.spans} spans in ${otlp.batches} exports: ${(otlp.spans / Math.max(1, tracedRequests)).toFixed(1)} per request over ${tracedRequests} requests, warm-up included)\n`);
  process.stdout.write(`\n${handwrittenReport}\n`);
  process.stdout.write(`\n${formatHmacCost(measureHmacCost())}`);
  process.stdout.write(`\n${formatHeaderRuleCost(measureHeaderRuleCost())}`);
  // The clients step (safelist, APQ) in its own process: it loads the registry and config as a gateway does.
  process.stdout.write(`\n${execFileSync(process.execPath, ['--import', 'tsx', 'test/bench/clients-cost.ts'], { encoding: 'utf8', timeout: 120_000 })}`);
}

// Interrupted (Ctrl-C, a timeout's SIGTERM): the gateways and subgraphs it started go too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all(children.map((c) => c.stop())).finally(() => process.exit(130));
  });
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await Promise.all(children.map((c) => c.stop()));
  });
