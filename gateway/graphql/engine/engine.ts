import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getOperationAST,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
  getVariableValues,
} from 'graphql';
import { operationFromDocument } from '@apollo/federation-internals';
import type { SupergraphManager } from '@apollo/gateway';
import type { GatewayExecutionResult, GatewayGraphQLRequestContext, GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import type { EngineConfig } from '../../config/index.ts';
import type { GraphQLAuthorizationConfig } from '../../auth/config.ts';
import { toGraphQLError } from '../../errors/render.ts';
import type { AuthorizationBySchema } from '../authorization/plugin.ts';
import { authorizeOperation } from '../authorization/authorize.ts';
import type { RequestContext } from '../../context/request-context.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { UpstreamCall } from '../../upstream/types.ts';
import { EntityBatcher } from './entity-batcher.ts';
import { executePlan } from './execute-plan.ts';
import { InflightRequests } from './inflight.ts';
import { prepareOperation, type PreparedOperation } from './prepared-operation.ts';
import { shapeResponse } from './shape-result.ts';
import { SupergraphSnapshot } from './snapshot.ts';
import { SubgraphFetcher, type SubgraphAnswer, type SubgraphRequest } from './subgraph-fetcher.ts';
import { inFetchSpan, inSpanIfTracing } from './engine-spans.ts';
import { regroupPlan } from './regroup-plan.ts';
import { normalizedSelections } from './normalized-selections.ts';
import { identityKey } from './identity-key.ts';

/** Counts the engine reports (metrics). */
export interface EngineEvents {
  /** One HTTP request sent to a subgraph (a coalesced batch is one). */
  onSubgraphRequest?(subgraph: string): void;
  /** A subgraph fetch or a whole operation answered by one already in flight. */
  onShared?(kind: 'subgraph_fetch' | 'operation'): void;
}

export interface EngineOptions {
  readonly config: EngineConfig;
  readonly log: Logger;
  /** The pipeline of a subgraph, by name, for the routing URL in effect. */
  readonly pipelineFor: (subgraph: string, url: string) => UpstreamCall;
  readonly events?: EngineEvents;
  /** `@authenticated` / `@requiresScopes`: the door's plugin applies it to `/graphql`, `execute` to BFF calls. */
  readonly authorization: { readonly config: GraphQLAuthorizationConfig; readonly authorizations: AuthorizationBySchema };
}

/** An operation as the engine runs it: already parsed (and, at a door, validated). */
export interface EngineRequest {
  readonly document: DocumentNode;
  readonly operationName: string | undefined;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
  readonly ctx: RequestContext;
  /** Identifies the document for the plan cache (its text, or a hash of it). */
  readonly documentKey: string;
}

export type EngineResult = GatewayExecutionResult;

/**
 * The supergraph engine: the one place a federated operation is planned (Apollo's query
 * planner, plans cached per supergraph) and executed (our executor over those plans).
 * The `/graphql` door reaches it through Apollo Server as its gateway; the BFFs call
 * `execute` directly, with no HTTP door, plugin or second request pipeline in between.
 */
export class SupergraphEngine {
  #snapshot: SupergraphSnapshot | undefined;
  readonly #bySchema = new WeakMap<GraphQLSchema, SupergraphSnapshot>();
  readonly #fetchers = new Map<string, { url: string; fetcher: SubgraphFetcher }>();
  readonly #listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  readonly #inflight: InflightRequests<{ readonly result: EngineResult; readonly ctx: RequestContext }> | null;

  constructor(private readonly options: EngineOptions) {
    this.#inflight = options.config.dedup.inboundOperations ? new InflightRequests() : null;
  }

  get snapshot(): SupergraphSnapshot | undefined {
    return this.#snapshot;
  }

  /** Serves `sdl` from now on (validated by whoever hands it over; throws if it cannot be built). */
  apply(sdl: string): void {
    const snapshot = new SupergraphSnapshot(sdl, this.options.config.planCache);
    for (const { name, url } of snapshot.subgraphs) this.#fetcherFor(name, url);
    this.options.authorization.authorizations.load(snapshot.apiSchema, sdl);
    this.#snapshot = snapshot;
    this.#bySchema.set(snapshot.apiSchema, snapshot);
    for (const listener of this.#listeners) listener({ apiSchema: snapshot.apiSchema, coreSupergraphSdl: sdl });
  }

  /** This engine as Apollo Server's gateway: the schema from `manager`, hot reloads included, and our executor. */
  gateway(manager: SupergraphManager): GatewayInterface {
    let cleanup: (() => Promise<void>) | undefined;
    return {
      onSchemaLoadOrUpdate: (callback) => {
        this.#listeners.add(callback);
        return () => void this.#listeners.delete(callback);
      },
      load: async () => {
        const result = await manager.initialize({
          update: (sdl) => this.apply(sdl),
          healthCheck: async () => {},
          getDataSource: () => {
            throw new Error('the engine sends subgraph requests itself');
          },
        });
        cleanup = result.cleanup;
        this.apply(result.supergraphSdl);
        return { executor: (rc) => inSpanIfTracing('gateway.request', rc.request.operationName, () => this.#executeForApollo(rc)) };
      },
      stop: async () => {
        await cleanup?.();
        this.#listeners.clear();
      },
    };
  }

  /**
   * Runs an operation for a BFF (trusted documents, already counted at its door): validated
   * once per document and supergraph, planned once, then only executed.
   */
  execute(request: EngineRequest): Promise<{ data: Record<string, unknown> | null; errors: GraphQLError[] }> {
    return inSpanIfTracing('gateway.request', request.operationName, () => this.#execute(request));
  }

  async #execute(request: EngineRequest): Promise<{ data: Record<string, unknown> | null; errors: GraphQLError[] }> {
    const snapshot = this.#snapshot;
    if (!snapshot) throw new Error('the supergraph is not loaded');
    const operation = findOperation(request.document, request.operationName);
    if (operation instanceof GraphQLError) return { data: null, errors: [operation] };
    const { config, authorizations } = this.options.authorization;
    const decision = authorizeOperation(authorizations.of(snapshot.apiSchema), config, request.ctx.principal, request.document, operation);
    if (decision.kind === 'rejected') return { data: null, errors: [toGraphQLError(decision.error, 'field')] };
    if (decision.kind === 'allowed') return this.#executeDocument(snapshot, request.document, request.documentKey, request);
    const filtered = decision.filtered;
    const result = filtered.empty ? { data: {}, errors: [] } : await this.#executeDocument(snapshot, filtered.document, filtered.queryHash, request);
    const completed = await decision.complete({ data: result.data, operationName: request.operationName, variables: { ...request.variables } });
    const refusals = completed.errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }));
    return { data: completed.data, errors: [...refusals, ...result.errors] };
  }

  async #executeDocument(snapshot: SupergraphSnapshot, document: DocumentNode, documentKey: string, request: EngineRequest): Promise<{ data: Record<string, unknown> | null; errors: GraphQLError[] }> {
    const prepared = this.#prepare(snapshot, documentKey, document, request.operationName, true);
    if (prepared instanceof GraphQLError) return { data: null, errors: [prepared] };
    const result = await this.#run(snapshot, prepared, request.variables ?? {}, request.ctx, documentKey);
    return { data: result.data ?? null, errors: [...(result.errors ?? [])] };
  }

  async #executeForApollo(requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> {
    const snapshot = this.#bySchema.get(requestContext.schema) ?? this.#snapshot;
    if (!snapshot) throw new Error('the supergraph is not loaded');
    const ctx = requestOf(requestContext.context);
    const variables = requestContext.request.variables ?? {};
    const operationName = requestContext.request.operationName;
    const prepared = this.#prepare(snapshot, requestContext.queryHash, requestContext.document, operationName, false);
    if (prepared instanceof GraphQLError) return { errors: [prepared] };
    const variableErrors = coerceErrors(snapshot.apiSchema, prepared.operation.variableDefinitions, variables);
    if (variableErrors.length > 0) return { errors: variableErrors };
    return this.#run(snapshot, prepared, variables, ctx, requestContext.queryHash);
  }

  /** The cached plan for a document, or one made now. Errors are the client's (unknown operation, invalid document). */
  #prepare(snapshot: SupergraphSnapshot, documentKey: string, document: DocumentNode, operationName: string | undefined, needsValidation: boolean): PreparedOperation | GraphQLError {
    const key = `${operationName ?? ''}\u0000${documentKey}`;
    const cached = snapshot.plans.get(key);
    if (cached) return cached;
    const operation = findOperation(document, operationName);
    if (operation instanceof GraphQLError) return operation;
    if (needsValidation) {
      const errors = validate(snapshot.apiSchema, document);
      if (errors.length > 0) return errors[0] ?? new GraphQLError('invalid operation');
    }
    const prepared = inSpanIfTracing('gateway.plan', operationName, () => {
      const plannerOperation = operationFromDocument(snapshot.plannerApiSchema, document, { operationName });
      // Taken before planning, which must not be able to change what the client is answered.
      const normalized = normalizedSelections(plannerOperation);
      const plan = snapshot.planner.buildQueryPlan(plannerOperation);
      // Regrouped only when fetches are coalesced: that is what the new grouping is for.
      const regrouped = this.options.config.batching.coalesce && plan.node && plan.node.kind !== 'Subscription' && operation.operation === OperationTypeNode.QUERY ? { ...plan, node: regroupPlan(plan.node) } : plan;
      return prepareOperation(snapshot.apiSchema, document, operation, normalized, regrouped);
    });
    snapshot.plans.set(key, prepared);
    return prepared;
  }

  async #run(snapshot: SupergraphSnapshot, prepared: PreparedOperation, variables: Readonly<Record<string, unknown>>, ctx: RequestContext, documentKey: string): Promise<EngineResult> {
    if (!this.#inflight || prepared.mutation) return this.#runOnce(snapshot, prepared, variables, ctx);
    const key = `${identityKey(ctx)}\u0000${documentKey}\u0000${JSON.stringify(variables)}`;
    const shared = await this.#inflight.run(
      key,
      async () => ({ result: await this.#runOnce(snapshot, prepared, variables, ctx), ctx }),
      () => this.options.events?.onShared?.('operation'),
    );
    // The run belonged to the first caller: if that one left (or hit its deadline) while
    // this one still waits, its answer may be cut short; this caller runs its own.
    if (shared.ctx !== ctx && shared.ctx.signal.aborted && !ctx.signal.aborted) return this.#runOnce(snapshot, prepared, variables, ctx);
    return shared.result;
  }

  async #runOnce(snapshot: SupergraphSnapshot, prepared: PreparedOperation, variables: Readonly<Record<string, unknown>>, ctx: RequestContext): Promise<EngineResult> {
    return inSpanIfTracing('gateway.execute', undefined, async () => {
      const errors: GraphQLError[] = [];
      const data: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      const conditionValues = { ...prepared.variableDefaults, ...variables };
      const send = (serviceName: string, request: SubgraphRequest): Promise<SubgraphAnswer> => this.#send(serviceName, request);
      const node = prepared.plan.node;
      if (node?.kind === 'Subscription') throw new Error('Execution of subscriptions not supported by gateway');
      if (node) {
        await executePlan(
          {
            supergraphSchema: snapshot.supergraphSchema,
            ctx,
            variables,
            conditionValues,
            errors,
            send,
            batcher: this.options.config.batching.coalesce && !prepared.mutation ? new EntityBatcher(ctx, send, prepared.merged) : null,
            dedupeRepresentations: this.options.config.batching.dedupeRepresentations,
            fetchId: prepared.fetchId,
          },
          node,
          data,
        );
      }
      const shaped = shapeResponse(prepared.shape, prepared.rootType, data, conditionValues, (field) => prepared.introspect(field, variables));
      // As @apollo/gateway: completion errors that follow from a fetch error would only
      // repeat it; alone, they are reported beside the data, not as errors.
      if (errors.length === 0 && shaped.errors.length > 0) return { data: shaped.data, extensions: { valueCompletion: shaped.errors } };
      return errors.length === 0 ? { data: shaped.data } : { errors, data: shaped.data };
    });
  }

  #send(serviceName: string, request: SubgraphRequest): Promise<SubgraphAnswer> {
    const entry = this.#fetchers.get(serviceName);
    if (!entry) return Promise.resolve({ errors: [{ message: `Couldn't find service with name "${serviceName}"` }] });
    this.options.events?.onSubgraphRequest?.(serviceName);
    return inFetchSpan(serviceName, () => entry.fetcher.send(request));
  }

  #fetcherFor(name: string, url: string): SubgraphFetcher {
    const existing = this.#fetchers.get(name);
    if (existing && existing.url === url) return existing.fetcher;
    const fetcher = new SubgraphFetcher(name, this.options.pipelineFor(name, url), this.options.config.dedup.subgraphFetches, () => this.options.events?.onShared?.('subgraph_fetch'));
    this.#fetchers.set(name, { url, fetcher });
    return fetcher;
  }
}

function findOperation(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode | GraphQLError {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operationName && operations.length > 1) return new GraphQLError('Must provide operation name if query contains multiple operations.', { extensions: { code: 'INVALID_GRAPHQL' } });
  const operation = getOperationAST(document, operationName);
  if (!operation) return new GraphQLError(operationName ? `Unknown operation named "${operationName}".` : 'Must provide an operation.', { extensions: { code: 'INVALID_GRAPHQL' } });
  return operation;
}

/** As @apollo/gateway checks variables before planning: graphql-js coercion errors, reported as they are. */
function coerceErrors(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[] | undefined, variables: Readonly<Record<string, unknown>>): GraphQLError[] {
  if (!definitions || definitions.length === 0) return [];
  const { errors } = getVariableValues(schema, definitions, variables);
  return errors ? [...errors] : [];
}

/** The door's context value (Apollo Server hands the gateway an untyped record): ours has the edge's RequestContext. */
function requestOf(context: Record<string, unknown>): RequestContext {
  const request = context.request;
  if (!isRequestContext(request)) throw new Error('the /graphql door runs every operation with its RequestContext');
  return request;
}

function isRequestContext(value: unknown): value is RequestContext {
  return typeof value === 'object' && value !== null && 'principal' in value && 'signal' in value && 'requestId' in value;
}
