import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSubgraphs } from '../../../schema/compose/compose.ts';
import { loadSupergraphConfig } from '../../../schema/compose/load-supergraph-config.ts';
import { createLogger } from '../../../gateway/telemetry/logger.ts';
import { demoConfig } from '../../../gateway/cli/demo-config.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { startTestServer } from '../../helpers/http-server.ts';
import { postGraphQL, startStack, type Stack } from '../../helpers/stack.ts';
import { startSdlSubgraph, type SdlSubgraph } from '../../helpers/sdl-subgraph.ts';
import { sampleValue, scrape } from '../../helpers/prometheus-text.ts';

/** A subgraph that adds a field to Product: what the reloaded supergraph brings in. */
const EXTRAS_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

type Product @key(fields: "id") {
  id: ID!
  reloadMarker: String!
}
`;

const PRODUCT_QUERY = 'query Steady { product(id: "p1") { id name } }';
const NEW_FIELD_QUERY = 'query NewField { product(id: "p1") { name reloadMarker } }';

interface LoadReport {
  /** Requests started so far; a request's sequence number is `sent` just after it started (1, 2, …). */
  sent: number;
  failures: string[];
  /** Sequence numbers of the requests answered in full and without errors. */
  succeeded: Set<number>;
  /** Sequence numbers of the requests started and not answered yet. */
  inFlight: Set<number>;
}

/**
 * Hot reload through the real file watcher, under load: the supergraph file (a temp copy)
 * is replaced by one composed with an extra subgraph, then by broken ones.
 */
describe('supergraph hot reload', () => {
  let dir: string;
  let path: string;
  let extras: SdlSubgraph;
  let stack: Stack;
  let logText = '';
  const log = new Writable({
    write(chunk: Buffer, _enc, done) {
      logText += chunk.toString('utf8');
      done();
    },
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hot-reload-'));
    path = join(dir, 'supergraph.graphql');
    writeFileSync(path, readFileSync('schema/supergraph.graphql', 'utf8'));
    extras = await startSdlSubgraph(EXTRAS_SDL, {
      Product: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, reloadMarker: `marker-${ref.id}` }) },
    });
    stack = await startStack(
      { supergraph: { path, watchDebounceMs: 50 }, upstreamDefaults: { retry: { attempts: 1 } } },
      { log: createLogger('info', log) },
    );
  });
  afterAll(async () => {
    await stack?.close();
    await extras?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Loopback load, bounded by count and time, until `stop()`; every answer must be complete and error-free. */
  function runLoad(workers: number, maxRequests: number, maxMs: number): { report: LoadReport; stop: () => Promise<LoadReport> } {
    const report: LoadReport = { sent: 0, failures: [], succeeded: new Set(), inFlight: new Set() };
    const deadline = Date.now() + maxMs;
    let stopping = false;
    const worker = async (): Promise<void> => {
      while (!stopping && report.sent < maxRequests && Date.now() < deadline) {
        const seq = ++report.sent;
        report.inFlight.add(seq);
        try {
          const res = await postGraphQL(`${stack.gateway.url}/graphql`, PRODUCT_QUERY);
          const name = (res.body.data?.product as { name?: unknown } | undefined)?.name;
          if (res.status !== 200 || res.body.errors || typeof name !== 'string') report.failures.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          else report.succeeded.add(seq);
        } catch (error) {
          report.failures.push(String(error));
        } finally {
          report.inFlight.delete(seq);
        }
      }
    };
    const running = Promise.all(Array.from({ length: workers }, worker));
    return {
      report,
      stop: async () => {
        stopping = true;
        await running;
        return report;
      },
    };
  }

  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const reloads = async (result: string): Promise<number> => sampleValue(await scrape(stack.gateway.url), 'supergraph_reloads_total', { source: 'file', result });
  const replaceFile = (sdl: string): void => {
    // An atomic replace, as `mv` or a deploy tool does it.
    writeFileSync(`${path}.next`, sdl);
    renameSync(`${path}.next`, path);
  };

  it('swaps in a supergraph with a new field under load without failing a request; broken files change nothing', async () => {
    const before = await postGraphQL(`${stack.gateway.url}/graphql`, NEW_FIELD_QUERY);
    expect(before.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const config = await loadSupergraphConfig('supergraph.yaml');
    const composed = composeSubgraphs([...config.subgraphs, { name: 'extras', url: extras.url, sdl: EXTRAS_SDL }]);
    if (!composed.ok) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    const withExtras = composed.supergraphSdl;

    const load = runLoad(6, 5_000, 20_000);
    await until('the load to be under way', async () => load.report.succeeded.size >= 20);
    const sentBeforeReplace = load.report.sent;
    replaceFile(withExtras);
    await until('the new field', async () => {
      const res = await postGraphQL(`${stack.gateway.url}/graphql`, NEW_FIELD_QUERY);
      return (res.body.data?.product as { reloadMarker?: unknown } | undefined)?.reloadMarker === 'marker-p1';
    });
    // The moment the swap is seen: what had been sent, and what was still on its way.
    const sentAtSwap = load.report.sent;
    const inFlightAtSwap = [...load.report.inFlight];
    expect(await reloads('success')).toBe(1);
    expect(extras.server.requests.length).toBeGreaterThan(0);
    // The load kept going through the swap: requests sent after it are answered too.
    const answeredAfterSwap = (): number => [...load.report.succeeded].filter((seq) => seq > sentAtSwap).length;
    await until('requests sent after the swap to be answered', async () => answeredAfterSwap() >= 20);

    // Broken: not GraphQL at all (written in place, not atomically), then a supergraph
    // whose join directive names a graph that does not exist.
    writeFileSync(path, 'type Query { this is not graphql');
    await until('the first rejection', async () => (await reloads('rejected')) === 1);
    replaceFile(withExtras.replace('@join__type(graph: EXTRAS', '@join__type(graph: NOPE'));
    await until('the second rejection', async () => (await reloads('rejected')) === 2);

    const still = await postGraphQL(`${stack.gateway.url}/graphql`, NEW_FIELD_QUERY);
    expect(still.body).toEqual({ data: { product: { name: expect.any(String), reloadMarker: 'marker-p1' } } });
    expect(await reloads('success')).toBe(1);

    const report = await load.stop();
    expect(report.failures).toEqual([]);
    expect(report.sent).toBeGreaterThan(50);
    // Sent before the file changed, sent while the new supergraph was being loaded, and
    // sent after it was in use: every one of them was answered in full.
    expect(sentBeforeReplace).toBeGreaterThanOrEqual(20);
    expect(sentAtSwap).toBeGreaterThan(sentBeforeReplace);
    expect(report.sent).toBeGreaterThan(sentAtSwap);
    expect(answeredAfterSwap()).toBeGreaterThanOrEqual(20);
    // Requests in flight when the swap was seen straddled it, and succeeded.
    expect(inFlightAtSwap.length).toBeGreaterThan(0);
    for (const seq of inFlightAtSwap) expect(report.succeeded.has(seq), `request ${seq}, in flight at the swap`).toBe(true);
    expect(report.succeeded.size).toBe(report.sent);

    const lines = logText.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; level: number; source?: string });
    expect(lines.filter((l) => l.msg === 'supergraph reloaded')).toHaveLength(1);
    expect(lines.filter((l) => l.msg.startsWith('supergraph rejected') && l.level === 50)).toHaveLength(2);
  });

  it('also polls supergraph.pollUrl: a new SDL there is swapped in, a failing URL changes nothing', async () => {
    const config = await loadSupergraphConfig('supergraph.yaml');
    const composed = composeSubgraphs([...config.subgraphs, { name: 'extras', url: extras.url, sdl: EXTRAS_SDL }]);
    if (!composed.ok) throw new Error('composition failed');
    let served: { status: number; sdl: string } = { status: 200, sdl: readFileSync('schema/supergraph.graphql', 'utf8') };
    const registry = await startTestServer((_req, res) => void res.writeHead(served.status, { 'content-type': 'text/plain' }).end(served.sdl));
    const ownPath = join(dir, 'polled.graphql');
    writeFileSync(ownPath, readFileSync('schema/supergraph.graphql', 'utf8'));
    const gateway = await startGateway({
      ...demoConfig(stack.services),
      supergraph: { path: ownPath, watch: false, pollUrl: `${registry.url}/supergraph.graphql`, pollIntervalMs: 100 },
    });
    try {
      served = { status: 200, sdl: composed.supergraphSdl };
      await until('the polled supergraph', async () => {
        const res = await postGraphQL(`${gateway.url}/graphql`, NEW_FIELD_QUERY);
        return (res.body.data?.product as { reloadMarker?: unknown } | undefined)?.reloadMarker === 'marker-p1';
      });
      served = { status: 503, sdl: 'unavailable' };
      await until('a failed poll', async () => sampleValue(await scrape(gateway.url), 'supergraph_reloads_total', { source: 'url', result: 'error' }) >= 1);
      served = { status: 200, sdl: 'type Query { broken' };
      await until('a rejected poll', async () => sampleValue(await scrape(gateway.url), 'supergraph_reloads_total', { source: 'url', result: 'rejected' }) >= 1);
      const still = await postGraphQL(`${gateway.url}/graphql`, NEW_FIELD_QUERY);
      expect(still.body.data).toEqual({ product: { name: expect.any(String), reloadMarker: 'marker-p1' } });
      expect(sampleValue(await scrape(gateway.url), 'supergraph_reloads_total', { source: 'url', result: 'success' })).toBe(1);
    } finally {
      await gateway.close();
      await registry.close();
    }
  });
});
