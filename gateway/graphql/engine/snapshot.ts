import { Supergraph } from '@apollo/federation-internals';
import type { Schema } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import { gatewaySupportedFeatures } from '../authorization/features.ts';
import type { PreparedOperation } from './prepared-operation.ts';

export interface PlanCacheBounds {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/**
 * One supergraph as the engine serves it: its schemas, its query planner and the plans
 * made with it. A hot reload builds a new snapshot; requests keep the one they started
 * with (found by the API schema Apollo Server validated them against).
 */
export class SupergraphSnapshot {
  readonly supergraph: Supergraph;
  /** The API schema (graphql-js): what clients see and documents are validated against. */
  readonly apiSchema: GraphQLSchema;
  /** federation-internals' API schema, which the planner's operations are built on. */
  readonly plannerApiSchema: Schema;
  /** The full supergraph schema (graphql-js): entity inputs may use @inaccessible fields. */
  readonly supergraphSchema: GraphQLSchema;
  readonly planner: QueryPlanner;
  readonly plans: LRUCache<string, PreparedOperation>;
  readonly subgraphs: ReadonlyArray<{ readonly name: string; readonly url: string }>;

  constructor(
    readonly sdl: string,
    bounds: PlanCacheBounds,
  ) {
    this.supergraph = Supergraph.build(sdl, { supportedFeatures: gatewaySupportedFeatures() });
    this.plannerApiSchema = this.supergraph.apiSchema();
    this.apiSchema = this.plannerApiSchema.toGraphQLJSSchema();
    this.supergraphSchema = this.supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(this.supergraph);
    this.subgraphs = this.supergraph.subgraphsMetadata();
    this.plans = new LRUCache<string, PreparedOperation>({
      max: bounds.maxEntries,
      maxSize: bounds.maxBytes,
      sizeCalculation: (p) => Math.max(1, p.size),
    });
  }
}
