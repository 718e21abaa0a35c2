import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild, type Child } from './child.ts';
import { ensureHiveInstalled, startHive, type HiveMode } from './hive.ts';
import { freePort, waitReady } from '../helpers/net.ts';
import { askTestQuery } from './workload/answers.ts';
import { WORKLOAD_SUPERGRAPH_PATH } from './workload/compose.ts';

/** A gateway of the workload section, running and ready. */
export interface Target {
  readonly name: string;
  readonly url: string;
  readonly child: Child;
  readonly headers?: Record<string, string>;
}

/** A row that could not run, and why. */
export interface Skipped {
  readonly name: string;
  readonly reason: string;
}

export const NAMES = {
  ours: 'ours',
  noDedup: 'ours, no dedup at all',
  v8Heap: "ours, V8's own heap growth",
  guarded: 'ours + JWT + Redis rate limit',
  dedup: 'ours dedup on',
  noCoalesce: 'ours, fetches not coalesced',
  noBatching: 'ours, not coalesced, representations not deduplicated',
  stock: 'stock @apollo/gateway + @apollo/server',
  hiveJit: 'Hive Gateway --jit',
  hiveRust: 'Hive Gateway Rust planner (--hive-router-runtime)',
  hiveRustPlain: 'Hive Gateway Rust planner, dedup off',
} as const;

interface Context {
  readonly dir: string;
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** The workload supergraph with the subgraphs' real URLs (Hive reads URLs from the file only). */
  readonly runSupergraph: string;
  readonly children: Child[];
  readonly note: (line: string) => void;
}

/** Our gateway (gateway/cli/start.ts) in its own process over the workload subgraphs. */
async function startOurs(ctx: Context, file: string, config: object, env: Record<string, string> = {}): Promise<{ url: string; child: Child }> {
  const path = join(ctx.dir, file);
  writeFileSync(path, JSON.stringify(config));
  const port = await freePort();
  const child = await startChild(
    'gateway/cli/start.ts',
    {
      PORT: String(port),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      GATEWAY_CONFIG: path,
      OTEL_SDK_DISABLED: 'true',
      SUPERGRAPH_PATH: WORKLOAD_SUPERGRAPH_PATH,
      ...Object.fromEntries(Object.entries(ctx.subgraphUrls).map(([n, u]) => [`SUBGRAPH_${n.toUpperCase()}_URL`, u])),
      ...env,
    },
    null,
  );
  ctx.children.push(child);
  await waitReady(`http://127.0.0.1:${port}/readyz`);
  return { url: `http://127.0.0.1:${port}/graphql`, child };
}

/**
 * The config our plain rows run with: the defaults, except what the defaults refuse for
 * this workload, found out by asking (each change is noted in the bench output):
 *  - the TestQuery's estimated cost (every list assumed 10 long: ~108k) is far above the
 *    default `operationLimits.maxCost` 5000 → raised above it;
 *  - the default anonymous rate limit (1200/min per address, 300/min for expensive
 *    operations) would answer most of a one-address load with 429 → limits raised out of
 *    reach, the limiter still deciding every request.
 */
async function oursConfig(ctx: Context): Promise<Record<string, unknown>> {
  const config: Record<string, unknown> = { routes: [] };
  let probe = await startOurs(ctx, 'ours-probe.json', config);
  try {
    const first = await askTestQuery(probe.url);
    const cost = costOver(first.errors);
    if (first.status === 400 && cost !== null) {
      config.operationLimits = { maxCost: cost * 10 };
      ctx.note(`ours: the TestQuery's estimated cost ${cost} is over the default maxCost (${JSON.stringify(first.errors).slice(0, 160)}): operationLimits.maxCost set to ${cost * 10}`);
      await probe.child.stop();
      probe = await startOurs(ctx, 'ours-probe.json', config);
    } else ctx.note(`ours: the default operation limits accept the TestQuery (HTTP ${first.status})`);
    // One client hammering from one address is a flood to any per-address limit (the default
    // anonymous bucket is 1200/min): the rows keep the limiter deciding every request, in
    // memory as by default, with limits the load cannot reach (the cost of deciding, not of 429s).
    config.rateLimit = { tiers: { anonymous: { limit: 1_000_000_000 } }, expensive: { limit: 1_000_000_000 } };
    ctx.note('ours: rate limits stay on (memory store, as by default) with anonymous and expensive limits the load cannot reach');
    return config;
  } finally {
    await probe.child.stop();
  }
}

function costOver(errors: unknown): number | null {
  if (!Array.isArray(errors)) return null;
  for (const e of errors as Array<{ extensions?: { limit?: string; value?: number } }>) {
    if (e.extensions?.limit === 'maxCost' && typeof e.extensions.value === 'number') return e.extensions.value;
  }
  return null;
}

const settle = async <T>(name: string, start: () => Promise<T>): Promise<T | Skipped> => {
  try {
    return await start();
  } catch (error) {
    return { name, reason: String((error as Error)?.message ?? error).split('\n').slice(0, 6).join(' | ').slice(0, 600) };
  }
};

/** Starts every gateway of the section; those that cannot run come back as Skipped. */
export async function startWorkloadTargets(ctx: Context, authorization: string): Promise<Array<Target | Skipped>> {
  const hiveInstall = ensureHiveInstalled(ctx.note);
  const config = await oursConfig(ctx);
  const limits = config.operationLimits === undefined ? {} : { operationLimits: config.operationLimits };
  const out: Array<Target | Skipped> = [];
  out.push(await settle(NAMES.ours, async () => ({ name: NAMES.ours, ...(await startOurs(ctx, 'ours.json', config)) })));
  // As the demo section's guarded row: a dev JWT verified on every request, and GCRA
  // decisions in Redis with limits the load cannot reach (the cost of deciding, not of 429s).
  out.push(
    await settle(NAMES.guarded, async () => ({
      name: NAMES.guarded,
      headers: { authorization },
      ...(await startOurs(
        ctx,
        'guarded.json',
        {
          routes: [],
          ...limits,
          auth: { doors: { graphql: { kind: 'authenticated' } } },
          rateLimit: {
            enabled: true,
            tiers: Object.fromEntries(['anonymous', 'free', 'standard', 'premium', 'enterprise'].map((t) => [t, { limit: 1_000_000_000 }])),
            expensive: { limit: 1_000_000_000 },
            redis: { keyPrefix: `bench:wl:${process.pid}:` },
          },
        },
        { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      )),
    })),
  );
  out.push(
    await settle(NAMES.dedup, async () => ({
      name: NAMES.dedup,
      ...(await startOurs(ctx, 'dedup.json', config, { DEDUP_SUBGRAPH_FETCHES: 'true', DEDUP_INBOUND_OPERATIONS: 'true' })),
    })),
  );
  // The defaults share identical subgraph fetches in flight (as Hive's do); this row shares nothing.
  out.push(await settle(NAMES.noDedup, async () => ({ name: NAMES.noDedup, ...(await startOurs(ctx, 'no-dedup.json', config, { DEDUP_SUBGRAPH_FETCHES: 'false' })) })));
  // What server.heapGrowthPercent trades: the defaults with V8 sizing the heap as it likes.
  out.push(await settle(NAMES.v8Heap, async () => ({ name: NAMES.v8Heap, ...(await startOurs(ctx, 'v8-heap.json', config, { HEAP_GROWTH_PERCENT: '0' })) })));
  // What each batching step buys: the same gateway with them turned off, one at a time.
  for (const [name, batching] of [
    [NAMES.noCoalesce, { coalesce: false }],
    [NAMES.noBatching, { coalesce: false, dedupeRepresentations: false }],
  ] as const) {
    out.push(await settle(name, async () => ({ name, ...(await startOurs(ctx, `${name.replace(/\W+/g, '-')}.json`, { ...config, engine: { batching } })) })));
  }
  out.push(
    await settle(NAMES.stock, async () => {
      const port = await freePort();
      const child = await startChild(
        'test/bench/stock-gateway.ts',
        { PORT: String(port), SUPERGRAPH_PATH: WORKLOAD_SUPERGRAPH_PATH, SUBGRAPH_URLS: JSON.stringify(ctx.subgraphUrls), APOLLO_TELEMETRY_DISABLED: 'true' },
        /^STOCK READY/,
      );
      ctx.children.push(child);
      return { name: NAMES.stock, url: `http://127.0.0.1:${port}/`, child };
    }),
  );
  const install = await hiveInstall;
  ctx.note(install.ok ? `Hive Gateway ${install.version} (installed under node_modules/.cache/bench-hive/)` : `Hive Gateway rows not run: ${install.reason}`);
  for (const [name, mode, dedup] of [
    [NAMES.hiveJit, 'jit', true],
    [NAMES.hiveRust, 'router-runtime', true],
    [NAMES.hiveRustPlain, 'router-runtime', false],
  ] as Array<[string, HiveMode, boolean]>) {
    if (!install.ok) {
      out.push({ name, reason: install.reason });
      continue;
    }
    out.push(
      await settle(name, async () => {
        const { url, child } = await startHive(mode, ctx.runSupergraph, dedup);
        ctx.children.push(child);
        return { name, url, child };
      }),
    );
  }
  return out;
}

export const isTarget = (t: Target | Skipped): t is Target => 'url' in t;
