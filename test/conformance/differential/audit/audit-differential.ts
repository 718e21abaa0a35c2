import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { composeSubgraphs, formatIssue } from '../../../../schema/compose/compose.ts';
import { startSdlSubgraph, type SdlSubgraph } from '../../../helpers/sdl-subgraph.ts';
import { startGatewayPair, type GatewayPair } from '../harness.ts';
import { assertSameAnswer } from '../report.ts';
import { auditSuiteIds, prepareAudit, type AuditSuite } from './load-suites.ts';

/**
 * Differential over the federation-gateway-audit suites (load-suites.ts): for each suite,
 * its subgraphs on loopback (@apollo/subgraph on Apollo Server, the SDL and resolvers as
 * the audit wrote them), composed with @apollo/composition, served by our gateway
 * (`engine.executor: 'ours'`) and by stock @apollo/gateway; every operation of the suite is
 * sent to both and the answers must be the same (compare.ts, `exact`). The audit's own
 * expected answers are not what is checked: where stock fails the audit, ours must fail it
 * the same way. This is where abstract types are covered (interfaces, unions, interface
 * objects, fragments on them, `__typename` on them): the demo schema has none.
 *
 * A suite whose operations include mutations keeps state in its subgraphs' modules: stock
 * then gets twins of its own (a second copy of the suite's modules, the same code and data),
 * so each gateway's mutations meet the state its own earlier operations left, as in a run
 * of the audit against that gateway alone. Operations go in the suite's order, one at a
 * time, ours then stock for mutations.
 *
 * The audit's schemas have no @authenticated/@requiresScopes: everything is anonymous.
 * Suites are split across files by `shard` so two workers share them.
 */
export async function defineAuditDifferential(shard: number, shards: number): Promise<void> {
  const audit = prepareAudit();
  const suites: Array<{ suite: AuditSuite; twin: AuditSuite | undefined }> = [];
  try {
    for (const id of auditSuiteIds().filter((_, i) => i % shards === shard)) {
      const suite = await audit.load(id);
      // A suite with mutations changes its subgraphs' state: stock gets twins of its own.
      const stateful = suite.tests.some((t) => /^\s*mutation\b/.test(t.query));
      suites.push({ suite, twin: stateful ? await audit.load(id, 1) : undefined });
    }
  } finally {
    audit.dispose();
  }

  const start = (suite: AuditSuite): Promise<SdlSubgraph[]> =>
    Promise.all(suite.subgraphs.map((s) => startSdlSubgraph(s.typeDefs, s.resolvers as GraphQLResolverMap<unknown>)));

  describe.each(suites.map(({ suite, twin }) => ({ suite, twin, id: suite.id })))('audit suite $id', ({ suite, twin, id }) => {
    let subgraphs: SdlSubgraph[] = [];
    let twins: SdlSubgraph[] = [];
    let pair: GatewayPair | undefined;

    beforeAll(async () => {
      [subgraphs, twins] = await Promise.all([start(suite), twin ? start(twin) : Promise.resolve([])]);
      const composed = composeSubgraphs(suite.subgraphs.map((s, i) => ({ name: s.name, url: subgraphs[i]?.url ?? '', sdl: s.typeDefs })));
      if (!composed.ok) throw new Error(`audit suite ${id} does not compose:\n  ${composed.errors.map(formatIssue).join('\n  ')}`);
      const stockSubgraphUrls = Object.fromEntries(twins.map((t, i) => [suite.subgraphs[i]?.name ?? '', t.url]));
      pair = await startGatewayPair({ supergraphSdl: composed.supergraphSdl, stockSubgraphUrls });
    });
    afterAll(async () => {
      await pair?.close();
      await Promise.allSettled([...subgraphs, ...twins].map((s) => s.close()));
    });

    // In order, one at a time: some suites' operations are mutations over shared state.
    it.for(suite.tests.map((test, i) => ({ ...test, title: `#${i + 1}` })))('$title', async (test) => {
      if (!pair) throw new Error('no gateways');
      const request = { query: test.query };
      assertSameAnswer(`${id} ${test.title}`, request, await pair.send(request));
    });
  });
}
