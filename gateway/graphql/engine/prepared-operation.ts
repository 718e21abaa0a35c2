import {
  executeSync,
  Kind,
  OperationTypeNode,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
} from 'graphql';
import type { FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import { ShapeCompiler, type SelectionGroup } from './shape-result.ts';

/**
 * Everything about one operation that does not depend on a request's values, built once
 * and kept in the plan cache: the plan, the compiled result shape, the variables'
 * defaults, and the merged operations of coalesced fetches as they are met.
 */
export interface PreparedOperation {
  readonly plan: QueryPlan;
  readonly operation: OperationDefinitionNode;
  readonly rootType: GraphQLObjectType;
  readonly shape: SelectionGroup;
  readonly variableDefaults: Readonly<Record<string, unknown>>;
  readonly mutation: boolean;
  /** Merged `_entities` operations by the fetch ids they combine. */
  readonly merged: Map<string, string>;
  readonly fetchId: (fetch: FetchNode) => number;
  readonly introspect: (field: FieldNode, variables: Readonly<Record<string, unknown>>) => unknown;
  /** Rough bytes held (plan and operation text), for the cache's size bound. */
  readonly size: number;
}

/**
 * `normalized`: the operation's selections as federation-internals normalizes them (see
 * normalized-selections.ts), which the result shape is compiled from.
 */
export function prepareOperation(
  apiSchema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  normalized: readonly SelectionNode[],
  plan: QueryPlan,
): PreparedOperation {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const rootType = apiSchema.getRootType(operation.operation);
  if (!rootType) throw new Error(`the schema has no ${operation.operation} type`);
  const compiler = new ShapeCompiler(apiSchema, new Map());

  const variableDefaults: Record<string, unknown> = {};
  for (const def of operation.variableDefinitions ?? []) {
    if (def.defaultValue) variableDefaults[def.variable.name.value] = valueFromASTUntyped(def.defaultValue);
  }

  const ids = new Map<FetchNode, number>();
  let size = 0;
  walkFetches(plan.node, (fetch) => {
    ids.set(fetch, ids.size);
    size += fetch.operation.length * 2 + 256;
  });

  const introspectionDocuments = new WeakMap<FieldNode, DocumentNode>();
  const introspect = (field: FieldNode, variables: Readonly<Record<string, unknown>>): unknown => {
    let doc = introspectionDocuments.get(field);
    if (!doc) {
      doc = introspectionDocument(field, operation, fragments);
      introspectionDocuments.set(field, doc);
    }
    const { data, errors } = executeSync({ schema: apiSchema, document: doc, rootValue: {}, variableValues: variables });
    if (errors && errors.length > 0) throw errors[0];
    return data?.[field.alias?.value ?? field.name.value];
  };

  return {
    plan,
    operation,
    rootType,
    shape: compiler.group(normalized),
    variableDefaults,
    mutation: operation.operation === OperationTypeNode.MUTATION,
    merged: new Map(),
    fetchId: (fetch) => ids.get(fetch) ?? -1,
    introspect,
    size: size + (operation.loc ? operation.loc.end - operation.loc.start : 1024) * 4,
  };
}

function walkFetches(node: PlanNode | { kind: 'Subscription' } | undefined, visitFetch: (fetch: FetchNode) => void): void {
  if (!node) return;
  switch (node.kind) {
    case 'Fetch':
      visitFetch(node);
      return;
    case 'Sequence':
    case 'Parallel':
      for (const child of node.nodes) walkFetches(child, visitFetch);
      return;
    case 'Flatten':
      walkFetches(node.node, visitFetch);
      return;
    case 'Condition':
      walkFetches(node.ifClause, visitFetch);
      walkFetches(node.elseClause, visitFetch);
      return;
    default:
      return;
  }
}

/** A query with only this introspection field (and the variables and fragments it uses), as @apollo/gateway runs it. */
function introspectionDocument(field: FieldNode, operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): DocumentNode {
  const used = new Set<string>();
  const spread = new Set<string>();
  const collect = (node: FieldNode | FragmentDefinitionNode): void => {
    visit(node, {
      Variable: (v) => void used.add(v.name.value),
      FragmentSpread: (s) => {
        if (spread.has(s.name.value)) return;
        spread.add(s.name.value);
        const fragment = fragments.get(s.name.value);
        if (fragment) collect(fragment);
      },
    });
  };
  collect(field);
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        variableDefinitions: (operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value)),
        selectionSet: { kind: Kind.SELECTION_SET, selections: [field] },
      },
      ...[...spread].flatMap((name) => {
        const fragment = fragments.get(name);
        return fragment ? [fragment] : [];
      }),
    ],
  };
}
