import { Supergraph, printSchema } from '@apollo/federation-internals';
import { buildASTSchema, buildSchema, type GraphQLSchema } from 'graphql';
import { gatewaySupportedFeatures } from '../../gateway/graphql/authorization/features.ts';
import type { SubgraphSdl } from './subgraph-index.ts';

/** A schema the check can diff: the API schema clients see, and where its parts come from. */
export interface LoadedSchema {
  readonly api: GraphQLSchema;
  /** The subgraphs behind it: empty when the SDL was a bare API schema. */
  readonly subgraphs: readonly SubgraphSdl[];
}

// A supergraph links the join spec (Fed 2: `@link(url: ".../join/v0.x")`; Fed 1: `@core`).
const JOIN_SPEC = /specs\.apollo\.dev\/join\/v\d/;

export function isSupergraphSdl(sdl: string): boolean {
  return JOIN_SPEC.test(sdl);
}

/**
 * The API schema of a supergraph: join/link machinery stripped, `@inaccessible` elements
 * removed, exactly what the gateway serves. Throws on a supergraph the gateway would refuse.
 */
export function apiSchemaOfSupergraph(supergraphSdl: string): GraphQLSchema {
  return toGraphqlJs(Supergraph.build(supergraphSdl, { supportedFeatures: gatewaySupportedFeatures() }));
}

/**
 * Builds the graphql-js schema in our own copy of graphql, from the AST (plain objects).
 * federation-internals is CommonJS and loads graphql's CJS build; under a bundler that
 * resolves graphql's ESM build (vitest), its `toGraphQLJSSchema()` objects would fail
 * graphql's `instanceof` checks on our side ("from another module or realm").
 */
function toGraphqlJs(supergraph: Supergraph): GraphQLSchema {
  return buildASTSchema(supergraph.apiSchema().toAST());
}

/**
 * Reads a schema file given as a base: a supergraph (its subgraphs are extracted, so
 * changes can still be traced to a subgraph, without file locations) or an API schema.
 */
export function loadSchemaSdl(sdl: string): LoadedSchema {
  if (!isSupergraphSdl(sdl)) return { api: buildSchema(sdl), subgraphs: [] };
  const supergraph = Supergraph.build(sdl, { supportedFeatures: gatewaySupportedFeatures() });
  const subgraphs = supergraph.subgraphs().values().map((s) => ({ name: s.name, sdl: printSchema(s.schema) }));
  return { api: toGraphqlJs(supergraph), subgraphs };
}
