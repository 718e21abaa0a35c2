import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import type { RequestContext } from '../../context/request-context.ts';
import type { EntityBatcher } from './entity-batcher.ts';
import { deepMerge, isObject } from './merge.ts';
import { distinct, representationWriter, type RepresentationWriter } from './representations.ts';
import { RawJson } from './raw-json.ts';
import { applyRewrites } from './rewrites.ts';
import type { SubgraphAnswer, SubgraphRequest } from './subgraph-fetcher.ts';
import type { ResponsePath, ResultObject } from './types.ts';
import type { VariableValues } from './conditions.ts';

/** Where a plan node reads and writes: a path into the result and the object(s) it points at. */
interface Cursor {
  readonly path: ResponsePath;
  /** One object, or the flattened list of everything a Flatten path reached (nulls included). */
  readonly data: ResultObject | readonly unknown[];
  readonly fullResult: ResultObject;
}

export interface PlanRun {
  readonly supergraphSchema: GraphQLSchema;
  readonly ctx: RequestContext;
  /** The request's variables as sent (what fetches forward). */
  readonly variables: VariableValues;
  /** With the operation's defaults applied (what @include/@skip conditions read). */
  readonly conditionValues: VariableValues;
  readonly errors: GraphQLError[];
  readonly send: (serviceName: string, request: SubgraphRequest) => Promise<SubgraphAnswer>;
  /** Coalesces entity fetches; null sends each fetch alone. */
  readonly batcher: EntityBatcher | null;
  readonly dedupeRepresentations: boolean;
  readonly fetchId: (fetch: FetchNode) => number;
}

/**
 * Runs a query plan into `data`, as @apollo/gateway's executeQueryPlan does (Sequence in
 * order, Parallel at once, Flatten into the entities at a path, Condition on a variable),
 * collecting subgraph errors with their paths in the response. A failed fetch leaves its
 * part of the data missing: result shaping turns that into nulls and the plan goes on.
 */
export async function executePlan(run: PlanRun, node: PlanNode, data: ResultObject): Promise<void> {
  await executeNode(run, node, { path: [], data, fullResult: data });
}

async function executeNode(run: PlanRun, node: PlanNode, cursor: Cursor | undefined): Promise<void> {
  if (!cursor) return;
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(run, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(run, child, cursor)));
      return;
    case 'Flatten':
      return executeNode(run, node.node, moveInto(cursor, node.path));
    case 'Fetch':
      try {
        await executeFetch(run, node, cursor);
      } catch (error) {
        run.errors.push(error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined }));
      }
      return;
    case 'Condition': {
      const value = run.conditionValues[node.condition];
      if (typeof value !== 'boolean') throw new Error(`Invalid non-boolean value ${String(value)} for Boolean! variable $${node.condition}`);
      const branch = value ? node.ifClause : node.elseClause;
      if (branch) await executeNode(run, branch, cursor);
      return;
    }
    case 'Defer':
      throw new Error('@defer support is not available in the gateway');
    default: {
      const unreachable: never = node;
      throw new Error(`unknown plan node ${JSON.stringify(unreachable)}`);
    }
  }
}

async function executeFetch(run: PlanRun, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const entities: ResultObject[] = isList(cursor.data) ? cursor.data.filter(isObject) : [cursor.data];
  if (entities.length === 0) return;

  const variables: Record<string, unknown> = {};
  for (const name of fetch.variableUsages ?? []) {
    if (Object.hasOwn(run.variables, name) && run.variables[name] !== undefined) variables[name] = run.variables[name];
  }

  if (!fetch.requires) {
    const answer = await run.send(fetch.serviceName, {
      operation: fetch.operation,
      operationName: fetch.operationName,
      variables,
      mutation: fetch.operationKind === 'mutation',
      ctx: run.ctx,
    });
    reportErrors(run, fetch, cursor, answer.errors, null);
    const received = answer.data;
    if (received) applyRewrites(run.supergraphSchema, fetch.outputRewrites, received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }

  const write = writerFor(run.supergraphSchema, fetch, fetch.requires);
  const representations: string[] = [];
  const owners: ResultObject[] = [];
  for (const entity of entities) {
    const representation = write(entity);
    if (representation === null) continue;
    representations.push(representation);
    owners.push(entity);
  }
  // No entity matched the type conditions of the inputs.
  if (representations.length === 0) return;
  if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');

  const unique = distinct(representations, run.dedupeRepresentations);
  const sent = RawJson.list(unique.sent);
  const answer = run.batcher
    ? await run.batcher.fetch({ id: run.fetchId(fetch), serviceName: fetch.serviceName, operation: fetch.operation, operationName: fetch.operationName }, variables, sent)
    : await run.send(fetch.serviceName, {
        operation: fetch.operation,
        operationName: fetch.operationName,
        variables: { ...variables, representations: sent },
        mutation: false,
        ctx: run.ctx,
      });
  reportErrors(run, fetch, cursor, answer.errors, unique.of);
  if (!answer.data) return;
  const received = answer.data._entities;
  if (!Array.isArray(received)) throw new Error('Expected "data._entities" in response to be an array');
  if (received.length !== unique.sent.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);

  const rewritten = new Set<number>();
  for (let r = 0; r < owners.length; r++) {
    const at = unique.of[r] ?? r;
    const entity: unknown = received[at];
    const owner = owners[r];
    if (!owner) continue;
    if (entity !== null && typeof entity === 'object' && !Array.isArray(entity)) {
      const value = entity as ResultObject;
      if (!value.__typename) value.__typename = owner.__typename;
      // One received entity may serve several owners: rewrite it once.
      if (!rewritten.has(at)) {
        rewritten.add(at);
        applyRewrites(run.supergraphSchema, fetch.outputRewrites, value);
      }
    }
    deepMerge(owner, entity);
  }
}

/** Compiled once per fetch of a cached plan (the plan's nodes live as long as the plan). */
const writers = new WeakMap<FetchNode, RepresentationWriter>();
function writerFor(schema: GraphQLSchema, fetch: FetchNode, requires: NonNullable<FetchNode['requires']>): RepresentationWriter {
  let writer = writers.get(fetch);
  if (!writer) {
    writer = representationWriter(schema, requires, fetch.inputRewrites);
    writers.set(fetch, writer);
  }
  return writer;
}

/**
 * A subgraph's errors as the client sees them: the subgraph named, the path moved to
 * where the data sits in the response (for `_entities` errors, the path of the entity at
 * that index), a code when the subgraph gave none. With distinct representations, an
 * error of one sent entity is an error of every entity that shares it.
 */
function reportErrors(run: PlanRun, fetch: FetchNode, cursor: Cursor, errors: readonly GraphQLFormattedError[] | undefined, of: readonly number[] | null): void {
  if (!errors || errors.length === 0) return;
  let hydrated: ResponsePath[] | undefined;
  const entityPath = (index: number): ResponsePath => {
    hydrated ??= hydratePaths(cursor.path, cursor.fullResult);
    return hydrated[index] ?? [];
  };
  for (const error of errors) {
    const path = error.path;
    if (fetch.requires && typeof path?.[1] === 'number') {
      const sentIndex = path[1];
      const rest = path.slice(2);
      const owners = of ? ownersOf(of, sentIndex) : [sentIndex];
      for (const r of owners) run.errors.push(downstreamError(error, fetch.serviceName, [...entityPath(r), ...rest]));
    } else {
      run.errors.push(downstreamError(error, fetch.serviceName, path ? [...cursor.path, ...path] : undefined));
    }
  }
}

function ownersOf(of: readonly number[], sentIndex: number): number[] {
  const owners: number[] = [];
  for (let r = 0; r < of.length; r++) if (of[r] === sentIndex) owners.push(r);
  return owners.length > 0 ? owners : [sentIndex];
}

function downstreamError(error: GraphQLFormattedError, serviceName: string, path: ResponsePath | undefined): GraphQLError {
  const message = error.message || `Error while fetching subquery from service "${serviceName}"`;
  const extensions: Record<string, unknown> = { ...error.extensions, serviceName };
  if (!extensions.code) extensions.code = 'DOWNSTREAM_SERVICE_ERROR';
  return new GraphQLError(message, { path, extensions });
}

/** Every concrete path a Flatten path (`['products', '@', 'reviews', '@']`) reaches in the data. */
export function hydratePaths(path: ResponsePath, data: unknown): ResponsePath[] {
  const out: ResponsePath[] = [];
  const walk = (parent: ResponsePath, rest: ResponsePath, value: unknown): void => {
    if (value === null || value === undefined) return;
    const [head, ...tail] = rest;
    if (head === undefined) {
      out.push([...parent]);
    } else if (head === '@') {
      if (!Array.isArray(value)) throw new Error('expected array when encountering `@`');
      value.forEach((element: unknown, i) => walk([...parent, i], tail, element));
    } else if (typeof head === 'string') {
      if (Array.isArray(value)) value.forEach((element: unknown, i) => walk([...parent, i], rest, element));
      else if (typeof value === 'object' && Object.hasOwn(value, head)) walk([...parent, head], tail, (value as ResultObject)[head]);
    } else {
      throw new Error(`unknown path part "${String(head)}"`);
    }
  };
  walk([], path, data);
  return out;
}

function moveInto(cursor: Cursor, path: ResponsePath): Cursor | undefined {
  const data = flattenAt(cursor.data, path);
  if (data === null || data === undefined) return undefined;
  if (!isList(data) && !isObject(data)) throw new Error(`Unexpected value at ${path.join('.')}`);
  return { path: [...cursor.path, ...path], data, fullResult: cursor.fullResult };
}

function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/** What a Flatten path reaches: lists at `@` are flattened into one (nulls and all, as @apollo/gateway). */
function flattenAt(value: unknown, path: ResponsePath, at = 0): unknown {
  if (value === undefined || value === null) return value;
  const current = path[at];
  if (current === undefined) return value;
  if (current === '@') {
    if (!isList(value)) throw new Error('expected a list at `@`');
    const out: unknown[] = [];
    for (const element of value) {
      const flat = flattenAt(element, path, at + 1);
      if (isList(flat)) for (const e of flat) out.push(e);
      else out.push(flat);
    }
    return out;
  }
  if (typeof current !== 'string' || !isObject(value)) throw new Error(`Unexpected value at path element ${String(current)}`);
  return flattenAt(Object.hasOwn(value, current) ? value[current] : undefined, path, at + 1);
}
