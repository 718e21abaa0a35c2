import {
  execute,
  GraphQLError,
  responsePathAsArray,
  type DocumentNode,
  type FieldNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from 'graphql';
import type { Refused, Removal } from './filter-operation.ts';
import { TYPENAME_ALIAS } from './filter-operation.ts';

export interface CompleteOptions {
  readonly schema: GraphQLSchema;
  /** The document the client sent (not the filtered one). */
  readonly document: DocumentNode;
  readonly operationName: string | null | undefined;
  readonly variables: Record<string, unknown> | undefined;
  /** What execution of the filtered document answered. */
  readonly data: Record<string, unknown> | null;
  readonly removals: ReadonlyMap<FieldNode, Removal>;
}

/** An unauthorized field at a concrete response path. */
export interface PlacedRefusal {
  readonly path: ReadonlyArray<string | number>;
  readonly refused: Refused;
}

export interface Completed {
  readonly data: Record<string, unknown> | null;
  readonly refusals: readonly PlacedRefusal[];
}

/** Thrown only to make graphql-js null a field; never reported itself. */
class Removed extends GraphQLError {}

/**
 * Puts back what the filter took out: every removed field is `null` at each place the
 * response has it, with one refusal per path, and a removed non-null field nulls its
 * nearest nullable parent. Rather than re-implement GraphQL's completion rules (fragments,
 * `@skip`/`@include`, lists, null propagation), the client's own document is executed by
 * graphql-js over the data already fetched: a field answers its value from that data, and
 * a removed one fails, exactly where a resolver error would have landed.
 */
export async function completeFilteredResult(options: CompleteOptions): Promise<Completed> {
  const { removals } = options;
  const refusals: PlacedRefusal[] = [];
  const seen = new Set<string>();
  const place = (path: ReadonlyArray<string | number>, refused: Refused): void => {
    const key = `${JSON.stringify(path)}|${refused.coordinate}`;
    if (seen.has(key)) return;
    seen.add(key);
    refusals.push({ path, refused });
  };

  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, _args, _context, info) => {
    // A field selected in several places answers if any of its selections was kept (the
    // same field elsewhere may have been emptied, never refused: requirements are per field).
    if (info.fieldNodes.some((node) => !removals.has(node))) {
      return source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[info.path.key] : undefined;
    }
    const path = responsePathAsArray(info.path);
    for (const node of info.fieldNodes) {
      const removal = removals.get(node);
      if (removal?.kind === 'unauthorized') place(path, removal.refused);
      else if (removal) for (const below of removal.below) place([...path, ...below.path], below);
    }
    // A rejected promise rather than a throw: graphql-js stops resolving an object's other
    // fields at the first synchronous non-null failure, and each removed field must still be
    // reported where execution reaches it, siblings included.
    return Promise.reject(new Removed('removed by authorization', { path }));
  };

  // Abstract positions: the filtered document fetched their type under an alias.
  const typeResolver: GraphQLTypeResolver<unknown, unknown> = (value) => {
    if (value === null || typeof value !== 'object') return undefined;
    const record = value as Record<string, unknown>;
    const name = record[TYPENAME_ALIAS] ?? record.__typename;
    return typeof name === 'string' ? name : undefined;
  };

  const result = await execute({
    schema: options.schema,
    document: options.document,
    rootValue: options.data ?? {},
    variableValues: options.variables,
    operationName: options.operationName ?? undefined,
    fieldResolver,
    typeResolver,
  });
  if (result.data === undefined) {
    // Cannot happen with the variables Apollo already coerced; still, no refusal goes unsaid.
    for (const removal of removals.values()) if (removal.kind === 'unauthorized') place([], removal.refused);
    return { data: options.data, refusals };
  }
  // Other errors of this run (a null the subgraphs' errors already explain) are not news:
  // the response keeps its own errors, and only the refusals are added.
  return { data: result.data as Record<string, unknown> | null, refusals };
}
