import { Kind, isObjectType, type GraphQLSchema } from 'graphql';
import type { FetchDataRewrite, QueryPlanFieldNode, QueryPlanSelectionNode } from '@apollo/query-planner';
import { deepMerge } from './merge.ts';
import { applyRewrites, isObjectOfType } from './rewrites.ts';
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
 * One entity's representation as the JSON text sent in `representations`, or null when
 * the entity is not fetched (an input is missing, or no `__typename`). The text is also
 * what tells two representations apart (see `distinct`).
 */
export type RepresentationWriter = (entity: ResultObject) => string | null;

/**
 * The writer for a fetch's inputs. Representations are most of what a request allocates
 * (one object per entity, then its text twice: the dedup key and the request body), so
 * the common shapes are compiled to write the text straight from the data: fields, and
 * fragments on distinct object types (at most one applies to an object, so nothing is
 * merged). Anything else — overlapping or abstract type conditions, input rewrites —
 * goes through `selectInputs`, the reference the compiled form must agree with.
 */
export function representationWriter(schema: GraphQLSchema, requires: readonly QueryPlanSelectionNode[], inputRewrites: readonly FetchDataRewrite[] | undefined): RepresentationWriter {
  const compiled = inputRewrites && inputRewrites.length > 0 ? null : compiledWriter(schema, requires);
  if (compiled) return compiled;
  return (entity) => {
    const representation = selectInputs(schema, entity, requires);
    if (!representation || !representation.__typename) return null;
    applyRewrites(schema, inputRewrites, representation);
    return JSON.stringify(representation);
  };
}

/** The compiled writer, or null for a shape only `selectInputs` handles. */
export function compiledWriter(schema: GraphQLSchema, requires: readonly QueryPlanSelectionNode[]): RepresentationWriter | null {
  const compiled = compileObject(schema, requires);
  if (!compiled) return null;
  return (entity) => {
    const typename = entity.__typename;
    // An object whose __typename would not be written, or is empty, is skipped as above.
    if (!typename || !compiled.writesTypename(typename)) return null;
    const text = compiled.write(entity);
    return text === null || text === '{}' ? null : text;
  };
}

interface CompiledObject {
  /** The text of the object's selection, or null (the object is null: an input is missing). */
  write(source: ResultObject): string | null;
  /** Whether an object of this `__typename` gets its `__typename` written. */
  writesTypename(typename: unknown): boolean;
}

type ValueWriter = (value: unknown) => string;

function compileObject(schema: GraphQLSchema, selections: readonly QueryPlanSelectionNode[]): CompiledObject | null {
  if (selections.every((s) => s.kind === Kind.FIELD)) return compileFields(schema, selections);
  if (!selections.every((s) => s.kind === Kind.INLINE_FRAGMENT)) return null;
  const byType = new Map<string, CompiledObject>();
  for (const fragment of selections) {
    if (fragment.kind !== Kind.INLINE_FRAGMENT) return null;
    const condition = fragment.typeCondition;
    // No condition is skipped by selectInputs; an abstract one may overlap another.
    if (!condition || byType.has(condition) || !isObjectType(schema.getType(condition))) return null;
    if (!fragment.selections.every((s) => s.kind === Kind.FIELD)) return null;
    const fields = compileFields(schema, fragment.selections);
    if (!fields) return null;
    byType.set(condition, fields);
  }
  return {
    // A fragment whose inputs are missing adds nothing (selectInputs merges in null).
    write: (source) => {
      const typename = source.__typename;
      const fields = typeof typename === 'string' ? byType.get(typename) : undefined;
      return fields?.write(source) ?? '{}';
    },
    writesTypename: (typename) => typeof typename === 'string' && (byType.get(typename)?.writesTypename(typename) ?? false),
  };
}

function compileFields(schema: GraphQLSchema, fields: readonly QueryPlanSelectionNode[]): CompiledObject | null {
  const names = new Set<string>();
  const parts: Array<{ readonly name: string; readonly prefix: string; readonly value: ValueWriter }> = [];
  for (const field of fields) {
    if (field.kind !== Kind.FIELD) return null;
    const name = field.alias ?? field.name;
    if (names.has(name)) return null;
    names.add(name);
    let value: ValueWriter = leaf;
    if (field.selections) {
      const sub = compileObject(schema, field.selections);
      if (!sub) return null;
      value = objectOrList(sub);
    }
    parts.push({ name, prefix: `${parts.length === 0 ? '{' : ','}${JSON.stringify(name)}:`, value });
  }
  const writesTypename = names.has('__typename');
  return {
    write: (source) => {
      let text = '';
      for (const part of parts) {
        const value = Object.hasOwn(source, part.name) ? source[part.name] : undefined;
        if (value === undefined) return null;
        text += part.prefix + part.value(value);
      }
      return parts.length === 0 ? '{}' : `${text}}`;
    },
    writesTypename: () => writesTypename,
  };
}

const leaf: ValueWriter = (value) => JSON.stringify(value);

function objectOrList(sub: CompiledObject): ValueWriter {
  // A list inside a list is read as an object, as selectInputs reads it (no inputs: null or {}).
  const one = (value: unknown): string => {
    const object = asObjectOrNull(value);
    return object ? (sub.write(object) ?? 'null') : 'null';
  };
  return (value) => (Array.isArray(value) ? `[${value.map(one).join(',')}]` : one(value));
}

/**
 * Distinct representations of one fetch, so a subgraph resolves each entity once however
 * often it appears in the response (the same product in five lists). `sent[i]` is the
 * text sent; `of[r]` maps the r-th representation to its index in `sent`.
 */
export interface DistinctRepresentations {
  readonly sent: string[];
  readonly of: number[];
}

export function distinct(representations: readonly string[], enabled: boolean): DistinctRepresentations {
  if (!enabled) return { sent: [...representations], of: representations.map((_, i) => i) };
  const index = new Map<string, number>();
  const sent: string[] = [];
  const of: number[] = [];
  for (const representation of representations) {
    let at = index.get(representation);
    if (at === undefined) {
      at = sent.length;
      index.set(representation, at);
      sent.push(representation);
    }
    of.push(at);
  }
  return { sent, of };
}
