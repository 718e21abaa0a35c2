import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkloadSubgraphs, WORKLOAD_QUERY, WORKLOAD_SUBGRAPH_NAMES, WORKLOAD_SUPERGRAPH_PATH, type WorkloadSubgraphs } from '../../bench/workload/index.ts';
import { deadPort } from '../../helpers/upstream-pipeline.ts';
import type { CompareMode } from './compare.ts';
import { startGatewayPair, type DifferentialRequest, type GatewayPair } from './harness.ts';
import { assertSameAnswer } from './report.ts';

/**
 * Differential over the public benchmark's workload (test/bench/workload/): its four
 * subgraphs and composed supergraph, and its TestQuery (~55 KB of answer, every subgraph,
 * @requires and @provides on the way), sent as the bench sends it (`{"query": …}`, no
 * operationName) to our gateway and to stock @apollo/gateway. Then a few smaller queries
 * over the same schema, the TestQuery several times at once, and the TestQuery with each
 * subgraph unreachable in turn (compared as transport failures, see compare.ts).
 * The workload has no authorization directives: everything is anonymous.
 */
const sdl = readFileSync(WORKLOAD_SUPERGRAPH_PATH, 'utf8');

const SMALLER: readonly DifferentialRequest[] = [
  { query: '{ me { id username name birthday } }' },
  { query: '{ topProducts(first: 2) { upc name price weight inStock shippingEstimate } }' },
  { query: '{ topProducts { __typename upc reviews { __typename id author { __typename username name } } } }' },
  { query: 'query U($id: ID!) { user(id: $id) { name reviews { body product { name shippingEstimate } } } nobody: user(id: "404") { id } }', variables: { id: '2' } },
  { query: '{ users { id ...on User { reviews { id } } } }' },
];

describe('differential: the benchmark workload, ours vs stock @apollo/gateway', () => {
  let subgraphs: WorkloadSubgraphs;
  let pair: GatewayPair;
  const down = new Map<string, GatewayPair>();

  beforeAll(async () => {
    subgraphs = await startWorkloadSubgraphs();
    pair = await startGatewayPair({ supergraphSdl: sdl, subgraphUrls: subgraphs.urls });
    await Promise.all(
      WORKLOAD_SUBGRAPH_NAMES.map(async (name) => {
        down.set(name, await startGatewayPair({ supergraphSdl: sdl, subgraphUrls: { ...subgraphs.urls, [name]: `http://127.0.0.1:${await deadPort()}/graphql` } }));
      }),
    );
  });
  afterAll(async () => {
    await Promise.allSettled([pair?.close(), ...[...down.values()].map((p) => p.close())]);
    await subgraphs?.close();
  });

  const compare = async (p: GatewayPair, label: string, request: DifferentialRequest, mode: CompareMode = 'exact') => {
    const answers = await p.send(request);
    assertSameAnswer(label, request, answers, mode);
    return answers;
  };

  it('TestQuery: the same ~55 KB answer, key order included', async () => {
    const { stock } = await compare(pair, 'TestQuery', { query: WORKLOAD_QUERY });
    // Not vacuous: the whole answer, no errors, @requires resolved.
    expect(stock.status).toBe(200);
    expect(stock.text.length).toBeGreaterThan(40_000);
    expect((stock.body as { errors?: unknown }).errors).toBeUndefined();
    expect(stock.text).toMatch(/"shippingEstimate":\d/);
  });

  it('TestQuery, eight at once: every answer the same', async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => compare(pair, `TestQuery #${i + 1} of 8`, { query: WORKLOAD_QUERY })));
  });

  it.concurrent.for(SMALLER.map((r, i) => ({ ...r, title: `workload query #${i + 1}` })))('$title', async (request) => {
    await compare(pair, request.title, request);
  });

  it.concurrent.for([...WORKLOAD_SUBGRAPH_NAMES])('TestQuery with %s unreachable', async (name) => {
    const p = down.get(name);
    if (!p) throw new Error(`no pair with ${name} down`);
    const { ours } = await compare(p, `TestQuery with ${name} unreachable`, { query: WORKLOAD_QUERY }, 'transport');
    expect(ours.text).toContain(`"serviceName":"${name}"`);
  });
});
