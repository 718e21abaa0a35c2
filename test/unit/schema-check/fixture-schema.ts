import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { composeSubgraphs } from '../../../schema/compose/compose.ts';
import { apiSchemaOfSupergraph } from '../../../schema/check/api-schema.ts';

export const FIXTURES = new URL('../../fixtures/schema-changes/', import.meta.url).pathname;

/**
 * The API schema of one side of a change fixture. Subgraph fixtures go through real
 * composition (a one-subgraph supergraph, then its API schema), so federation's own
 * rewriting is part of what is tested; API fixtures are built as they are.
 */
export function fixtureSchema(folder: string, side: 'before' | 'after', input: 'subgraph' | 'api'): GraphQLSchema {
  const sdl = readFileSync(join(folder, `${side}.graphql`), 'utf8');
  if (input === 'api') return buildSchema(sdl);
  const composed = composeSubgraphs([{ name: 'fixture', url: 'http://fixture.invalid/graphql', sdl }]);
  if (!composed.ok) throw new Error(`${folder}/${side}.graphql does not compose: ${composed.errors.map((e) => e.message).join('; ')}`);
  return apiSchemaOfSupergraph(composed.supergraphSdl);
}
