import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSubgraph } from '../../../subgraphs/kit/serve-subgraph.ts';
import { apiSchemaOfSupergraph } from '../../../schema/check/api-schema.ts';
import { fullRightsCaller, guardsOf } from './corpus/guards.ts';
import { ownershipOf, subgraphsReached } from './corpus/reach.ts';
import { failureCorpus } from './corpus/subset.ts';
import { FAULT_PROBES, FAULTS, startFaultySubgraph, type FaultySubgraphName } from './faulty-subgraphs.ts';
import { DEMO_SUPERGRAPH_PATH, startDemoSubgraphs, startGatewayPair, type DemoSubgraphs, type GatewayPair } from './harness.ts';
import { assertSameAnswer, newTally, type Tally } from './report.ts';

/**
 * Differential with one subgraph answering GraphQL errors: for each demo subgraph in turn,
 * a copy of it with faults injected (faulty-subgraphs.ts: some fields of some entities
 * throw, with a code and extra extensions or as a plain Error, or return null where the
 * schema says non-null) replaces it for both gateways, the others stay healthy, and the
 * failure corpus (every project operation, the first 24 generated ones and FAULT_PROBES;
 * of those, the ones that reach that subgraph) is sent to our gateway and to stock
 * @apollo/gateway. These are GraphQL answers, not transport failures:
 * partial data, null propagation and every error member (message, path mapped back from
 * `_entities`, locations, extensions.code and the rest) must be exactly stock's.
 *
 * Every operation runs as the caller with every right (see project-corpus.test.ts), so our
 * field authorization filters nothing.
 */
const sdl = readFileSync(DEMO_SUPERGRAPH_PATH, 'utf8');
const api = apiSchemaOfSupergraph(sdl);
const guards = guardsOf(sdl);
const caller = fullRightsCaller(guards);
const FAULTY: readonly FaultySubgraphName[] = ['products', 'reviews', 'users', 'inventory', 'orders'];
const ownership = ownershipOf(sdl);
const everything = [...(await failureCorpus(api, guards)), ...FAULT_PROBES];
/** Per faulty subgraph, the operations that reach it (corpus/reach.ts). */
const corpusFor = new Map(FAULTY.map((name) => [name, everything.filter((op) => subgraphsReached(api, ownership, parse(op.query)).has(name))]));

describe('differential with one subgraph answering GraphQL errors, ours vs stock @apollo/gateway', () => {
  let healthy: DemoSubgraphs;
  const faulty = new Map<FaultySubgraphName, RunningSubgraph>();
  const pairs = new Map<FaultySubgraphName, GatewayPair>();
  const tallies = new Map<FaultySubgraphName, Tally>(FAULTY.map((n) => [n, newTally()]));
  /** The faults stock's answers show, per subgraph (its errors name the coordinate): they were reached. */
  const reached = new Map<FaultySubgraphName, Set<string>>(FAULTY.map((n) => [n, new Set()]));
  /** Stock answers with top-level `extensions.valueCompletion` (nulls the gateway itself found where non-null is due). */
  const valueCompletions = new Map<FaultySubgraphName, number>(FAULTY.map((n) => [n, 0]));

  beforeAll(async () => {
    healthy = await startDemoSubgraphs();
    for (const name of FAULTY) faulty.set(name, await startFaultySubgraph(name));
    await Promise.all(
      FAULTY.map(async (name) => {
        const url = faulty.get(name)?.url;
        if (!url) throw new Error(`no faulty ${name}`);
        pairs.set(name, await startGatewayPair({ subgraphUrls: { ...healthy.urls, [name]: url } }));
      }),
    );
  });
  afterAll(async () => {
    await Promise.allSettled([...pairs.values()].map((p) => p.close()));
    await Promise.allSettled([...faulty.values()].map((s) => s.close()));
    await healthy?.close();
  });

  describe.each(FAULTY)('%s answering errors', (name) => {
    const corpus = corpusFor.get(name) ?? [];
    it.concurrent.for(corpus)('$name', async (op) => {
      const pair = pairs.get(name);
      if (!pair) throw new Error(`no pair for ${name}`);
      const request = { query: op.query, variables: op.variables, operationName: op.operationName, caller };
      const answers = await pair.send(request);
      for (const m of answers.stock.text.matchAll(/injected fault in ([\w.]+) for|Cannot return null for non-nullable field ([\w.]+)\./g)) {
        reached.get(name)?.add(m[1] ?? m[2] ?? '');
      }
      if (answers.stock.text.includes('"valueCompletion"')) valueCompletions.set(name, (valueCompletions.get(name) ?? 0) + 1);
      assertSameAnswer(`${op.name} with ${name} faulty (${op.from})`, request, answers, 'exact', tallies.get(name));
    });

    it('reached the faults (not vacuous)', () => {
      expect(tallies.get(name)?.compared).toBe(corpus.length);
      expect(corpus.length).toBeGreaterThanOrEqual(15);
      expect(tallies.get(name)?.withErrors).toBeGreaterThan(0);
      // Every fault was hit by some operation: the errors compared came from them.
      expect([...(reached.get(name) ?? [])].sort()).toEqual(Object.keys(FAULTS[name]).sort());
      // inventory's entity that is null without an error: the gateway's own value completion ran.
      if (name === 'inventory') expect(valueCompletions.get(name)).toBeGreaterThan(0);
    });
  });
});
