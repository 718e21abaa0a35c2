import { Kind, type GraphQLSchema } from 'graphql';
import type { QueryPlanFieldNode, QueryPlanSelectionNode } from '@apollo/query-planner';
import { deepMerge } from './merge.ts';
import { isObjectOfType } from './rewrites.ts';
import type { ResultObject } from './types.ts';

/**
 * The input of an entity fetch for one entity: its `requires` selection (keys, @requires
 * fields, `__typename`) read out of the data gathered so far. Null when an input is
 * missing: a non-null input failed earlier (and was reported then), so this entity is
 * not fetched. Mirrors @apollo/gateway's `executeSelectionSet`; the supergraph schema,
 * not the API schema, because inputs may be @inaccessible.
 */
export function selectInputs(schema: GraphQLSchema, source: ResultObject | null, selections: readonly QueryPlanSelectionNode[]): ResultObject | null {
  if (source === null) return null;
  const result: ResultObject = Object.create(null) as ResultObject;
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const field: QueryPlanFieldNode = selection;
      const responseName = field.alias ?? field.name;
      const value = Object.hasOwn(source, responseName) ? source[responseName] : undefined;
      if (value === undefined) return null;
      const sub = field.selections;
      if (Array.isArray(value)) {
        result[responseName] = value.map((element: unknown) => (sub ? selectInputs(schema, asObjectOrNull(element), sub) : element));
      } else if (sub) {
        result[responseName] = selectInputs(schema, asObjectOrNull(value), sub);
      } else {
        result[responseName] = value;
      }
    } else {
      if (!selection.typeCondition) continue;
      if (isObjectOfType(schema, source, selection.typeCondition)) deepMerge(result, selectInputs(schema, source, selection.selections));
    }
  }
  return result;
}

function asObjectOrNull(value: unknown): ResultObject | null {
  return value !== null && typeof value === 'object' ? (value as ResultObject) : null;
}

/**
 * Distinct representations of one fetch, so a subgraph resolves each entity once however
 * often it appears in the response (the same product in five lists). `sent[i]` is what
 * is sent; `of[r]` maps the r-th representation to its index in `sent`.
 */
export interface DistinctRepresentations {
  readonly sent: ResultObject[];
  readonly of: number[];
}

export function distinct(representations: readonly ResultObject[], enabled: boolean): DistinctRepresentations {
  if (!enabled) return { sent: [...representations], of: representations.map((_, i) => i) };
  const index = new Map<string, number>();
  const sent: ResultObject[] = [];
  const of: number[] = [];
  for (const representation of representations) {
    const key = JSON.stringify(representation);
    let at = index.get(key);
    if (at === undefined) {
      at = sent.length;
      index.set(key, at);
      sent.push(representation);
    }
    of.push(at);
  }
  return { sent, of };
}
