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
  const moved = moveLoneFetches(node);
  return inLevels(moved) ?? moved;
}

function moveLoneFetches(node: PlanNode): PlanNode {
  switch (node.kind) {
    case 'Sequence':
      return { ...node, nodes: node.nodes.map(moveLoneFetches) };
    case 'Flatten':
      return { ...node, node: moveLoneFetches(node.node) };
    case 'Condition':
      return {
        ...node,
        ...(node.ifClause ? { ifClause: moveLoneFetches(node.ifClause) } : {}),
        ...(node.elseClause ? { elseClause: moveLoneFetches(node.elseClause) } : {}),
      };
    case 'Parallel':
      return regroupParallel({ ...node, nodes: node.nodes.map(moveLoneFetches) });
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

/**
 * The plan as levels: every fetch runs in the first step after everything it waited for
 * in the plan (its Sequence's earlier steps), together with every other fetch of that
 * level, whichever branch it came from:
 *
 *     Parallel { Sequence { A1 A2 A3 }  Sequence { B1 Parallel { B2 Sequence { B3 B4 } } } }
 *  →  Sequence { Parallel { A1 B1 }  Parallel { A2 B2 B3 }  Parallel { A3 B4 } }
 *
 * Nothing runs before what it depended on (a fetch's level is past all of them), so only
 * waiting is added: a level ends when its slowest fetch does. In exchange, each level's
 * fetches to one subgraph are ready at the same moment and the batcher sends them as one
 * request (two branches' `reviews` fetches, each after its own root fetch, become one),
 * which is the request count a level-by-level executor makes. Flatten paths are absolute
 * (a Flatten is always run on the root), so a fetch may leave its branch. Plans with a
 * Condition (or anything but Sequence, Parallel and Flatten-wrapped fetches) keep their
 * shape: undefined.
 */
function inLevels(root: PlanNode): PlanNode | undefined {
  const levels: PlanNode[][] = [];
  /** Fetches nothing comes after in their branch: free to run at any later level. */
  const tails: Array<{ node: PlanNode; serviceName: string; level: number }> = [];
  const place = (node: PlanNode, start: number, tail: boolean): number | undefined => {
    switch (node.kind) {
      case 'Fetch':
      case 'Flatten': {
        const fetch = node.kind === 'Fetch' ? node : node.node;
        if (fetch.kind !== 'Fetch') return undefined;
        (levels[start] ??= []).push(node);
        if (tail && fetch.requires) tails.push({ node, serviceName: fetch.serviceName, level: start });
        return start + 1;
      }
      case 'Sequence': {
        let at: number | undefined = start;
        node.nodes.forEach((child, i) => {
          if (at !== undefined) at = place(child, at, tail && i === node.nodes.length - 1);
        });
        return at;
      }
      case 'Parallel': {
        let end: number | undefined = start;
        for (const child of node.nodes) {
          const childEnd = place(child, start, tail);
          end = childEnd === undefined || end === undefined ? undefined : Math.max(end, childEnd);
        }
        return end;
      }
      default:
        return undefined;
    }
  };
  if (place(root, 0, true) === undefined) return undefined;
  // A tail fetch joins the next level that fetches from the same subgraph: one request fewer.
  for (const { node, serviceName, level } of tails) {
    const later = levels.findIndex((l, i) => i > level && l.some((n) => fetchOf(n)?.serviceName === serviceName));
    if (later < 0) continue;
    levels[level] = (levels[level] ?? []).filter((n) => n !== node);
    levels[later]?.push(node);
  }
  const steps = levels
    .filter((level) => level.length > 0)
    .map((level): PlanNode => {
      const [only] = level;
      return only && level.length === 1 ? only : { kind: 'Parallel', nodes: level };
    });
  const [only] = steps;
  return only && steps.length === 1 ? only : { kind: 'Sequence', nodes: steps };
}

function fetchOf(node: PlanNode): FetchNode | undefined {
  if (node.kind === 'Fetch') return node;
  return node.kind === 'Flatten' && node.node.kind === 'Fetch' ? node.node : undefined;
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
