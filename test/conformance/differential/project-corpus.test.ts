import { readFileSync } from 'node:fs';
import { parse, print, validate, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSchemaOfSupergraph } from '../../../schema/check/api-schema.ts';
import { fullRightsCaller, guardedSelections, guardsOf } from './corpus/guards.ts';
import { bffOperations, E2E_OPERATIONS, e2eStringLiterals, readmeOperations, type CorpusOperation } from './corpus/project.ts';
import { DEMO_SUPERGRAPH_PATH, startDemoSubgraphs, startGatewayPair, type Caller, type DemoSubgraphs, type GatewayPair } from './harness.ts';
import { assertSameAnswer, newTally } from './report.ts';

/**
 * Differential: the project's own operations (every document the e2e suites send to
 * /graphql, every BFF supergraph operation with seed-data variables, the README examples),
 * each sent over HTTP to our gateway (`engine.executor: 'ours'`) and to stock
 * @apollo/gateway 2.14.4 on @apollo/server, both over the same five subgraph servers and the
 * same supergraph. The answers must be the same: status, `data` with its key order, and
 * every error member for member (compare.ts: errors in any order, and the one stated
 * wording difference, "Internal server error" for errors raised inside the gateway).
 *
 * Authorization: our gateway enforces @authenticated/@requiresScopes, stock does not. So
 * every operation runs once as a caller with every right (all the supergraph's scopes, and
 * the orders subgraph's admin role): our gateway verifies its dev token and forwards the
 * gateway-owned x-user-* headers; stock gets those same headers from the test and forwards
 * them from its RemoteGraphQLDataSource (test/helpers/stock-gateway.ts lists the little it
 * changes from default settings), so every subgraph sees the same caller on both sides
 * and nothing is filtered. Operations that select no guarded field (read from the
 * supergraph) run anonymously as well. What our gateway answers a caller without the
 * rights is test/e2e/graphql-authorization.test.ts's subject, not a difference from stock.
 */
const sdl = readFileSync(DEMO_SUPERGRAPH_PATH, 'utf8');
const api: GraphQLSchema = apiSchemaOfSupergraph(sdl);
const guards = guardsOf(sdl);
const everyRight: Caller = fullRightsCaller(guards);
const bff = await bffOperations();
const readme = readmeOperations();
const corpus: CorpusOperation[] = [...E2E_OPERATIONS, ...bff.operations, ...readme];

interface Case {
  readonly title: string;
  readonly op: CorpusOperation;
  readonly caller: Caller | undefined;
}
const cases: Case[] = corpus.flatMap((op) => {
  const full: Case = { title: `${op.name} [every right]`, op, caller: everyRight };
  const guarded = guardedSelections(api, parse(op.query), guards);
  return guarded.length > 0 ? [full] : [full, { title: `${op.name} [anonymous]`, op, caller: undefined }];
});

describe('differential: project operations, ours vs stock @apollo/gateway', () => {
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

  it('covers every e2e /graphql document, every BFF operation and the README example', () => {
    const inCorpus = new Set(E2E_OPERATIONS.map((op) => print(parse(op.query))));
    const sentByE2e = new Set<string>();
    for (const { text } of e2eStringLiterals()) {
      try {
        const document = parse(text);
        if (validate(api, document).length === 0) sentByE2e.add(print(document));
      } catch {
        // not a GraphQL document
      }
    }
    expect([...sentByE2e].filter((d) => !inCorpus.has(d))).toEqual([]);
    // Not vacuous: the scan finds the documents the list was written from.
    expect(sentByE2e.size).toBeGreaterThanOrEqual(20);
    expect(bff.withoutVariables).toEqual([]);
    expect(bff.operations.length).toBeGreaterThanOrEqual(14);
    expect(readme.map((op) => op.query)).toEqual([
      '{ topProducts(first: 2) { name priceCents shippingEstimateCents reviews(first: 2) { rating author { name } } } }',
    ]);
    for (const op of corpus) expect(validate(api, parse(op.query)).map((e) => `${op.name}: ${e.message}`)).toEqual([]);
  });

  it.concurrent.for(cases)('$title', async ({ title, op, caller }) => {
    const request = { query: op.query, variables: op.variables, operationName: op.operationName, method: op.method, caller };
    assertSameAnswer(`${title} (${op.from})`, request, await pair.send(request), 'exact', tally);
  });

  it('was not vacuous: most answers carried data, and some carried errors', () => {
    expect(tally.compared).toBe(cases.length);
    expect(tally.clean).toBeGreaterThan(cases.length * 0.6);
    expect(tally.withErrors).toBeGreaterThan(0);
  });
});
