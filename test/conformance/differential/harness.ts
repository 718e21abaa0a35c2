import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getOperationAST, parse } from 'graphql';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Gateway } from '../../../gateway/app.ts';
import { signDevToken } from '../../../gateway/auth/index.ts';
import type { GatewayConfigInput } from '../../../gateway/config/index.ts';
import { deepMerge, type PlainObject } from '../../../gateway/config/merge.ts';
import { closeAllServices, SERVICES, type RunningSubgraph } from '../../../subgraphs/catalog.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { startStockGateway, type StockGateway } from '../../helpers/stock-gateway.ts';
import type { Answer } from './compare.ts';

export const DEMO_SUPERGRAPH_PATH = new URL('../../../schema/supergraph.graphql', import.meta.url).pathname;

/**
 * A signed-in caller. Our gateway gets a dev token for it (and derives the gateway-owned
 * `x-user-*` headers from the verified token); stock gets those same headers from the test
 * and forwards them (`IDENTITY_HEADERS`), so both send the subgraphs the same identity.
 */
export interface Caller {
  readonly sub: string;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
}

/** What the demo subgraphs read (subgraphs/kit/identity.ts). */
export const IDENTITY_HEADERS = ['x-user-id', 'x-user-scopes', 'x-user-roles'] as const;

export interface DifferentialRequest {
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>> | undefined;
  readonly operationName?: string | undefined;
  /** Default POST. GET sends `apollo-require-preflight` (both servers prevent CSRF the same way). */
  readonly method?: 'POST' | 'GET' | undefined;
  /** Default: anonymous. */
  readonly caller?: Caller | undefined;
}

export interface GatewayPair {
  readonly ours: Gateway;
  readonly stock: StockGateway;
  /**
   * The same request to both: at the same time, except a mutation, which goes to ours and
   * then to stock (both change the same subgraph's state; run side by side, each could see
   * the other's half done).
   */
  send(request: DifferentialRequest): Promise<{ ours: Answer; stock: Answer }>;
  close(): Promise<void>;
}

/**
 * `ours`, unless DIFFERENTIAL_EXECUTOR=stock: then our gateway runs @apollo/gateway's
 * executor inside our pipeline, which tells whether a difference is the engine's or the
 * rest of the pipeline's (error formatting, authorization, the upstream policies).
 */
function executorUnderTest(): 'ours' | 'stock' {
  const chosen = process.env.DIFFERENTIAL_EXECUTOR ?? 'ours';
  if (chosen !== 'ours' && chosen !== 'stock') throw new Error(`DIFFERENTIAL_EXECUTOR must be ours or stock, not ${chosen}`);
  return chosen;
}

/**
 * What our gateway runs with in these suites, on top of test/helpers/gateway.ts: our
 * executor, and operation limits out of the way (limits are not what this compares; stock
 * has none, and generated operations go deep and wide).
 */
export const OURS_FOR_DIFFERENTIAL: GatewayConfigInput = {
  engine: { executor: executorUnderTest() },
  supergraph: { watch: false },
  operationLimits: { maxDepth: 64, maxAliases: 10_000, maxRootFields: 1_000, maxTokens: 1_000_000, maxDocumentBytes: 1_048_576, maxCost: 1_000_000_000 },
};

export interface PairOptions {
  /** The supergraph both gateways serve. Default: the demo's schema/supergraph.graphql. */
  supergraphSdl?: string;
  /** Where each subgraph is reached, for both gateways (others: the supergraph's routing URL). */
  subgraphUrls?: Readonly<Record<string, string>>;
  /** More config for our gateway only. */
  ours?: GatewayConfigInput;
  /**
   * Stock's own routing URLs, over `subgraphUrls`: for subgraphs whose state mutations
   * change, each gateway gets its own twin (same code, same seed) so both start alike.
   */
  stockSubgraphUrls?: Readonly<Record<string, string>>;
}

/**
 * Our gateway (`engine.executor: 'ours'`) and stock @apollo/gateway over the same
 * supergraph and the same subgraph servers, both on loopback in this process.
 */
export async function startGatewayPair(options: PairOptions = {}): Promise<GatewayPair> {
  const sdl = options.supergraphSdl ?? readFileSync(DEMO_SUPERGRAPH_PATH, 'utf8');
  const urls = options.subgraphUrls ?? {};
  const dir = mkdtempSync(join(tmpdir(), 'differential-'));
  const supergraphPath = join(dir, 'supergraph.graphql');
  writeFileSync(supergraphPath, sdl);
  const config = deepMerge(
    deepMerge(OURS_FOR_DIFFERENTIAL as PlainObject, {
      supergraph: { path: supergraphPath },
      subgraphs: Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, { url }])),
    }),
    (options.ours ?? {}) as PlainObject,
  ) as GatewayConfigInput;
  const [oursStarted, stockStarted] = await Promise.allSettled([
    startGateway(config),
    startStockGateway(sdl, { subgraphUrls: { ...urls, ...options.stockSubgraphUrls }, forwardHeaders: IDENTITY_HEADERS }),
  ]);
  if (oursStarted.status === 'rejected' || stockStarted.status === 'rejected') {
    // One of them may have started: close it, so a failed start leaks no listener.
    await Promise.allSettled([oursStarted.status === 'fulfilled' ? oursStarted.value.close() : null, stockStarted.status === 'fulfilled' ? stockStarted.value.close() : null]);
    rmSync(dir, { recursive: true, force: true });
    throw oursStarted.status === 'rejected' ? oursStarted.reason : (stockStarted as PromiseRejectedResult).reason;
  }
  const ours = oursStarted.value;
  const stock = stockStarted.value;
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (caller: Caller): Promise<string> => {
    const key = JSON.stringify(caller);
    let token = tokens.get(key);
    if (!token) {
      token = signDevToken({ sub: caller.sub, scopes: caller.scopes, roles: caller.roles });
      tokens.set(key, token);
    }
    return token;
  };
  return {
    ours,
    stock,
    async send(request) {
      const caller = request.caller;
      const oursHeaders: Record<string, string> = caller ? { authorization: `Bearer ${await tokenFor(caller)}` } : {};
      const stockHeaders: Record<string, string> = caller
        ? { 'x-user-id': caller.sub, 'x-user-scopes': caller.scopes.join(' '), 'x-user-roles': caller.roles.join(' ') }
        : {};
      if (isMutation(request)) {
        const a = await ask(`${ours.url}/graphql`, request, oursHeaders);
        return { ours: a, stock: await ask(stock.url, request, stockHeaders) };
      }
      const [a, b] = await Promise.all([ask(`${ours.url}/graphql`, request, oursHeaders), ask(stock.url, request, stockHeaders)]);
      return { ours: a, stock: b };
    },
    async close() {
      await Promise.allSettled([ours.close(), stock.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function isMutation(request: DifferentialRequest): boolean {
  try {
    return getOperationAST(parse(request.query), request.operationName)?.operation === 'mutation';
  } catch {
    return false; // does not parse: both answer a syntax error, nothing changes
  }
}

/** One GraphQL request over HTTP; the body parsed when it is JSON, else kept as text. */
export async function ask(url: string, request: DifferentialRequest, headers: Record<string, string>): Promise<Answer> {
  const { query, variables, operationName } = request;
  let res: Response;
  if (request.method === 'GET') {
    const params = new URLSearchParams({ query });
    if (variables) params.set('variables', JSON.stringify(variables));
    if (operationName) params.set('operationName', operationName);
    res = await fetch(`${url}?${params.toString()}`, { headers: { 'apollo-require-preflight': 'true', ...headers } });
  } else {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, ...(variables ? { variables } : {}), ...(operationName ? { operationName } : {}) }),
    });
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // kept as text: a difference report shows it as it came
  }
  return { status: res.status, body, text };
}

export interface DemoSubgraphs {
  readonly subgraphs: readonly RunningSubgraph[];
  /** Name → GraphQL endpoint. */
  readonly urls: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** The five demo subgraphs (no REST services: /graphql never calls them) on free loopback ports. */
export async function startDemoSubgraphs(): Promise<DemoSubgraphs> {
  const results = await Promise.allSettled(
    SERVICES.flatMap((s) => (s.kind === 'subgraph' ? [s.start({ host: '127.0.0.1', port: 0 })] : [])),
  );
  const subgraphs = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await closeAllServices(subgraphs);
    throw failed.reason;
  }
  return {
    subgraphs,
    urls: Object.fromEntries(subgraphs.map((s) => [s.name, s.url])),
    close: () => closeAllServices(subgraphs),
  };
}

/** Runs `task` over `items`, at most `width` at a time, results in input order. */
export async function inBatches<T, R>(items: readonly T[], width: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}
