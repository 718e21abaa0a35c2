import type { FetchNode, FlattenNode, PlanNode } from '@apollo/query-planner';

/**
 * Regroups a plan so that more entity fetches to one subgraph become ready at the same
 * moment, for the batcher to send as one request. The planner often splits the plain and
 * the @requires fields of the same entities into two fetches to one subgraph:
 *
 *     Parallel { Sequence { Flatten(p) Fetch(A)  Flatten(p) Fetch(B, requires A's fields) }
 *                Flatten(p) Fetch(B) }
 *
 * The lone `Flatten(p) Fetch(B)` depends on nothing in its Parallel and nothing in it
 * depends on it (siblings of a Parallel are independent), so it may run beside the
 * Sequence's later fetch to B at the same path instead of at the start:
 *
 *     Parallel { Sequence { Flatten(p) Fetch(A)  Parallel { Flatten(p) Fetch(B)  Flatten(p) Fetch(B) } } }
 *
 * The Parallel still ends when its slowest branch does, so the client waits no longer in
 * the usual case (B answers about as fast either way), and B gets one request. Only
 * queries are regrouped; a mutation's plan is sequential for a reason.
 */
export function regroupPlan(node: PlanNode): PlanNode {
  switch (node.kind) {
    case 'Sequence':
      return { ...node, nodes: node.nodes.map(regroupPlan) };
    case 'Flatten':
      return { ...node, node: regroupPlan(node.node) };
    case 'Condition':
      return {
        ...node,
        ...(node.ifClause ? { ifClause: regroupPlan(node.ifClause) } : {}),
        ...(node.elseClause ? { elseClause: regroupPlan(node.elseClause) } : {}),
      };
    case 'Parallel':
      return regroupParallel({ ...node, nodes: node.nodes.map(regroupPlan) });
    default:
      return node;
  }
}

function regroupParallel(node: Extract<PlanNode, { kind: 'Parallel' }>): PlanNode {
  const siblings = [...node.nodes];
  for (let i = 0; i < siblings.length; i++) {
    const lone = siblings[i];
    const target = lone && entityFetchAt(lone);
    if (!target) continue;
    for (let j = 0; j < siblings.length; j++) {
      const sequence = siblings[j];
      if (j === i || sequence?.kind !== 'Sequence') continue;
      const step = laterStepWith(sequence.nodes, target.path, target.fetch.serviceName);
      if (step < 0) continue;
      const nodes = [...sequence.nodes];
      const at = nodes[step];
      if (!at) continue;
      nodes[step] = at.kind === 'Parallel' ? { ...at, nodes: [...at.nodes, lone] } : { kind: 'Parallel', nodes: [at, lone] };
      siblings[j] = { ...sequence, nodes };
      siblings.splice(i, 1);
      i--;
      break;
    }
  }
  const [only] = siblings;
  return siblings.length === 1 && only ? only : { ...node, nodes: siblings };
}

/** `Flatten(path) Fetch(entity fetch of a query)`: the shape that may move. */
function entityFetchAt(node: PlanNode): { path: string; fetch: FetchNode } | undefined {
  if (node.kind !== 'Flatten' || node.node.kind !== 'Fetch') return undefined;
  const fetch = node.node;
  if (!fetch.requires || fetch.operationKind !== 'query') return undefined;
  return { path: pathKey(node), fetch };
}

/** The index (never 0: something must come first) of a Sequence step that fetches from `serviceName` at `path`. */
function laterStepWith(steps: readonly PlanNode[], path: string, serviceName: string): number {
  for (let k = 1; k < steps.length; k++) {
    const step = steps[k];
    if (!step) continue;
    const candidates = step.kind === 'Parallel' ? step.nodes : [step];
    if (candidates.some((c) => entityFetchAt(c)?.path === path && entityFetchAt(c)?.fetch.serviceName === serviceName)) return k;
  }
  return -1;
}

function pathKey(node: FlattenNode): string {
  return node.path.join('.');
}
