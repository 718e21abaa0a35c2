import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSchemaOfSupergraph } from '../../../schema/check/api-schema.ts';
import { startStatusServer } from '../../helpers/upstream-servers.ts';
import type { TestServer } from '../../helpers/http-server.ts';
import { deadPort } from '../../helpers/upstream-pipeline.ts';
import { TRANSPORT_CODES } from './compare.ts';
import { fullRightsCaller, guardsOf } from './corpus/guards.ts';
import { ownershipOf, subgraphsReached } from './corpus/reach.ts';
import { failureCorpus } from './corpus/subset.ts';
import { DEMO_SUPERGRAPH_PATH, startDemoSubgraphs, startGatewayPair, type DemoSubgraphs, type GatewayPair } from './harness.ts';
import { assertSameAnswer, newTally, type Tally } from './report.ts';

/**
 * Differential with one subgraph unreachable: for each demo subgraph in turn, both
 * gateways route it to a loopback port nothing listens on (connection refused), the
 * others stay healthy, and the failure corpus (every project operation and the first 24
 * generated ones; of those, the ones that reach that subgraph) goes to our gateway and to
 * stock @apollo/gateway. One more case: reviews answering HTTP 500 with a text body.
 *
 * Our gateway words transport failures itself, by design (UPSTREAM_UNAVAILABLE,
 * CIRCUIT_OPEN once the breaker opens, UPSTREAM_BAD_RESPONSE, … with serviceName) where
 * stock passes on the fetch error (`request to http://… failed, reason: connect
 * ECONNREFUSED …`, INTERNAL_SERVER_ERROR). So these compare `transport` (compare.ts): the
 * status and `data` exactly (partial data and null propagation are the executor's), the
 * error paths, every error the two have in common member for member, and each of ours that
 * stock words differently must carry a stable transport code and name the subgraph.
 *
 * Every operation runs as the caller with every right (see project-corpus.test.ts).
 */
const sdl = readFileSync(DEMO_SUPERGRAPH_PATH, 'utf8');
const api = apiSchemaOfSupergraph(sdl);
const guards = guardsOf(sdl);
const caller = fullRightsCaller(guards);
const ownership = ownershipOf(sdl);
const everything = await failureCorpus(api, guards);
const reaching = (name: string) => everything.filter((op) => subgraphsReached(api, ownership, parse(op.query)).has(name));

type Failure = { readonly subgraph: string; readonly how: 'refused' | 'http-500' };
const FAILURES: readonly Failure[] = [
  ...['users', 'products', 'orders', 'reviews', 'inventory'].map((subgraph): Failure => ({ subgraph, how: 'refused' })),
  { subgraph: 'reviews', how: 'http-500' },
];
const key = (f: Failure): string => `${f.subgraph} ${f.how}`;

describe('differential with one subgraph unreachable, ours vs stock @apollo/gateway', () => {
  let healthy: DemoSubgraphs;
  let failing500: TestServer;
  const pairs = new Map<string, GatewayPair>();
  const tallies = new Map<string, Tally>(FAILURES.map((f) => [key(f), newTally()]));
  /** Our transport errors naming the failed subgraph, per failure: the failure was met. */
  const ours = new Map<string, number>(FAILURES.map((f) => [key(f), 0]));

  beforeAll(async () => {
    healthy = await startDemoSubgraphs();
    failing500 = await startStatusServer(() => 500);
    await Promise.all(
      FAILURES.map(async (f) => {
        const url = f.how === 'refused' ? `http://127.0.0.1:${await deadPort()}/graphql` : `${failing500.url}/graphql`;
        pairs.set(key(f), await startGatewayPair({ subgraphUrls: { ...healthy.urls, [f.subgraph]: url } }));
      }),
    );
  });
  afterAll(async () => {
    await Promise.allSettled([...pairs.values()].map((p) => p.close()));
    await failing500?.close();
    await healthy?.close();
  });

  describe.each(FAILURES.map((f) => ({ ...f, title: key(f) })))('$title', (failure) => {
    const corpus = reaching(failure.subgraph);
    it.concurrent.for(corpus)('$name', async (op) => {
      const pair = pairs.get(key(failure));
      if (!pair) throw new Error(`no pair for ${key(failure)}`);
      const request = { query: op.query, variables: op.variables, operationName: op.operationName, caller };
      const answers = await pair.send(request);
      const errors = (answers.ours.body as { errors?: Array<{ extensions?: { code?: unknown; serviceName?: unknown } }> } | null)?.errors ?? [];
      const transport = errors.filter((e) => typeof e.extensions?.code === 'string' && TRANSPORT_CODES.has(e.extensions.code));
      for (const e of transport) expect(e.extensions?.serviceName).toBe(failure.subgraph);
      ours.set(key(failure), (ours.get(key(failure)) ?? 0) + transport.length);
      assertSameAnswer(`${op.name} with ${key(failure)} (${op.from})`, request, answers, 'transport', tallies.get(key(failure)));
    });

    it('met the failure (not vacuous)', () => {
      expect(corpus.length).toBeGreaterThan(15);
      expect(tallies.get(key(failure))?.compared).toBe(corpus.length);
      expect(ours.get(key(failure))).toBeGreaterThan(corpus.length / 2);
    });
  });
});
