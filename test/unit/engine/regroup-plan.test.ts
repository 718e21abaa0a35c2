import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { operationFromDocument } from '@apollo/federation-internals';
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { SupergraphSnapshot } from '../../../gateway/graphql/engine/snapshot.ts';
import { regroupPlan } from '../../../gateway/graphql/engine/regroup-plan.ts';
import { WORKLOAD_QUERY, WORKLOAD_SUPERGRAPH_PATH } from '../../bench/workload/index.ts';

const planOf = (sdlPath: string, query: string): PlanNode => {
  const snapshot = new SupergraphSnapshot(readFileSync(sdlPath, 'utf8'), { maxEntries: 1, maxBytes: 1_000_000 });
  const node = snapshot.planner.buildQueryPlan(operationFromDocument(snapshot.plannerApiSchema, parse(query), {})).node;
  if (!node || node.kind === 'Subscription') throw new Error('no plan');
  return node;
};

const fetchOf = (node: PlanNode): FetchNode | undefined => (node.kind === 'Fetch' ? node : node.kind === 'Flatten' && node.node.kind === 'Fetch' ? node.node : undefined);

function kindsIn(node: PlanNode | undefined): string[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return [node.kind, ...node.nodes.flatMap(kindsIn)];
    case 'Flatten':
      return [node.kind, ...kindsIn(node.node)];
    case 'Condition':
      return [node.kind, ...kindsIn(node.ifClause), ...kindsIn(node.elseClause)];
    default:
      return [node.kind];
  }
}

/** Every fetch with the fetches that must have finished before it starts (Sequence order). */
function predecessors(root: PlanNode): Map<FetchNode, Set<FetchNode>> {
  const out = new Map<FetchNode, Set<FetchNode>>();
  const walk = (node: PlanNode, before: ReadonlySet<FetchNode>): Set<FetchNode> => {
    const fetch = fetchOf(node);
    if (fetch) {
      out.set(fetch, new Set(before));
      return new Set([fetch]);
    }
    if (node.kind === 'Sequence') {
      const done = new Set(before);
      const all = new Set<FetchNode>();
      for (const child of node.nodes) for (const f of walk(child, done)) (done.add(f), all.add(f));
      return all;
    }
    if (node.kind === 'Parallel') {
      const all = new Set<FetchNode>();
      for (const child of node.nodes) for (const f of walk(child, before)) all.add(f);
      return all;
    }
    throw new Error(`unexpected ${node.kind}`);
  };
  walk(root, new Set());
  return out;
}

/** The regrouped plan as levels: a Sequence of Parallels of (Flatten-wrapped) fetches. */
function levelsOf(node: PlanNode): FetchNode[][] {
  const steps = node.kind === 'Sequence' ? node.nodes : [node];
  return steps.map((step) => (step.kind === 'Parallel' ? step.nodes : [step]).map((n) => {
    const f = fetchOf(n);
    if (!f) throw new Error('a level holds only fetches');
    return f;
  }));
}

describe('regroupPlan (fetches ready together, for the batcher to coalesce)', () => {
  const original = planOf(WORKLOAD_SUPERGRAPH_PATH, WORKLOAD_QUERY);
  const levels = levelsOf(regroupPlan(original));

  it('keeps every fetch exactly once', () => {
    const before = [...predecessors(original).keys()];
    const after = levels.flat();
    expect(after).toHaveLength(before.length);
    expect(new Set(after)).toEqual(new Set(before));
  });

  it('never starts a fetch before one it waited for in the planner\'s plan', () => {
    const levelOf = new Map(levels.flatMap((level, i) => level.map((f) => [f, i] as const)));
    for (const [fetch, before] of predecessors(original)) {
      for (const p of before) expect(levelOf.get(p) ?? Infinity, `${fetch.operationName} after ${p.operationName}`).toBeLessThan(levelOf.get(fetch) ?? -1);
    }
  });

  it("puts the benchmark TestQuery's 16 fetches into 6 subgraph requests (one per subgraph and level)", () => {
    const predecessorsCount = predecessors(original).size;
    expect(predecessorsCount).toBe(16);
    const requests = levels.reduce((n, level) => n + new Set(level.map((f) => f.serviceName)).size, 0);
    expect(requests).toBe(6);
  });

  it('keeps a Condition (decided per request) where the planner put it, with all its fetches', () => {
    const conditional = planOf(WORKLOAD_SUPERGRAPH_PATH, 'query($withReviews: Boolean!) { topProducts { name reviews @include(if: $withReviews) { body } } }');
    const regrouped = regroupPlan(conditional);
    expect(kindsIn(regrouped).filter((k) => k === 'Condition')).toHaveLength(kindsIn(conditional).filter((k) => k === 'Condition').length);
    expect(kindsIn(conditional)).toContain('Condition');
    expect(kindsIn(regrouped).filter((k) => k === 'Fetch')).toHaveLength(kindsIn(conditional).filter((k) => k === 'Fetch').length);
  });
});
