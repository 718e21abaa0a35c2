import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSchemaOfSupergraph } from '../../../schema/check/api-schema.ts';
import { fullRightsCaller, guardedSelections, guardsOf } from './corpus/guards.ts';
import type { CorpusOperation } from './corpus/project.ts';
import { GENERATOR_SEED, generatedCorpus } from './corpus/subset.ts';
import { DEMO_SUPERGRAPH_PATH, startDemoSubgraphs, startGatewayPair, type Caller, type DemoSubgraphs, type GatewayPair } from './harness.ts';
import { assertSameAnswer, newTally } from './report.ts';

/**
 * Differential over generated operations (corpus/generator.ts): 150 valid operations over
 * the demo supergraph from one fixed seed, each sent to our gateway
 * (`engine.executor: 'ours'`) and to stock @apollo/gateway over the same subgraph servers;
 * the answers must be the same (compare.ts, `exact`).
 *
 * Authorization, as in project-corpus.test.ts: every other operation is generated without
 * the guarded fields (Query.me, Query.orders, User.email, User.phone, read from the
 * supergraph) and runs anonymously as well as with every right; the others may select them
 * and run only as the caller with every right (our gateway: a dev token; stock: the same
 * x-user-* headers forwarded), so our field authorization filters nothing.
 *
 * To reproduce one operation, the failure prints it with its variables; the seed and
 * count reproduce the whole corpus (`generatedCorpus(api, guards, count)`, corpus/subset.ts).
 */
const SEED = GENERATOR_SEED;
const COUNT = 150;
const sdl = readFileSync(DEMO_SUPERGRAPH_PATH, 'utf8');
const api = apiSchemaOfSupergraph(sdl);
const guards = guardsOf(sdl);
const everyRight: Caller = fullRightsCaller(guards);
const generated = generatedCorpus(api, guards, COUNT);

interface Case {
  readonly title: string;
  readonly op: CorpusOperation;
  readonly caller: Caller | undefined;
}
const cases: Case[] = generated.operations.flatMap((op) => {
  const full: Case = { title: `${op.name} [every right]`, op, caller: everyRight };
  return guardedSelections(api, parse(op.query), guards).length > 0 ? [full] : [full, { title: `${op.name} [anonymous]`, op, caller: undefined }];
});

describe(`differential: ${COUNT} generated operations (seed ${SEED}), ours vs stock @apollo/gateway`, () => {
  let subgraphs: DemoSubgraphs;
  let pair: GatewayPair;
  const tally = newTally();

  beforeAll(async () => {
    subgraphs = await startDemoSubgraphs();
    pair = await startGatewayPair({ subgraphUrls: subgraphs.urls });
  });
  afterAll(async () => {
    await pair?.close();
    await subgraphs?.close();
  });

  it('generates only valid operations, deterministically', () => {
    console.info(
      `generated ${generated.operations.length} valid operations (seed ${SEED}); ${generated.invalid} candidates failed validation and were dropped; ` +
        `${cases.length} comparisons (${cases.filter((c) => !c.caller).length} anonymous)`,
    );
    expect(generated.operations).toHaveLength(COUNT);
    expect(generated.invalidExamples).toEqual([]);
    const again = generatedCorpus(api, guards, COUNT);
    expect(again.operations.map((o) => o.query)).toEqual(generated.operations.map((o) => o.query));
    // What the corpus exercises, counted over the documents (not vacuous).
    const all = generated.operations.map((o) => o.query).join('\n');
    for (const feature of ['fragment F', '... on ', '... {', '@include(if: $', '@skip(if: true)', ' = ', 'shippingEstimateCents', '__typename', 'a1: ']) {
      expect(all, feature).toContain(feature);
    }
    expect(generated.operations.some((o) => o.operationName)).toBe(true);
  });

  it.concurrent.for(cases)('$title', async ({ title, op, caller }) => {
    const request = { query: op.query, variables: op.variables, operationName: op.operationName, caller };
    assertSameAnswer(`${title} (${op.from})`, request, await pair.send(request), 'exact', tally);
  });

  it('was not vacuous: most answers carried data, and some carried errors', () => {
    expect(tally.compared).toBe(cases.length);
    expect(tally.clean).toBeGreaterThan(cases.length * 0.6);
    expect(tally.withErrors).toBeGreaterThan(0);
  });
});
