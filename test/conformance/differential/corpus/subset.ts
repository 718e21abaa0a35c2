import type { GraphQLSchema } from 'graphql';
import { generateOperations, type Generated } from './generator.ts';
import type { Guards } from './guards.ts';
import { bffOperations, E2E_OPERATIONS, readmeOperations, type CorpusOperation } from './project.ts';

/** The generated corpus's seed: change it and every generated operation changes. */
export const GENERATOR_SEED = 20_240_611;

/**
 * The generated corpus: `count` operations from GENERATOR_SEED, every other one (even
 * indexes) without the guarded fields, so that half can run anonymously too.
 */
export function generatedCorpus(api: GraphQLSchema, guards: Guards, count: number): Generated {
  return generateOperations(api, { seed: GENERATOR_SEED, count, exclude: (i) => (i % 2 === 0 ? guards.fields : new Set()) });
}

/**
 * What the failure suites send with one subgraph failing: every project operation (e2e,
 * BFF, README) and the first `generated` operations of the generated corpus. GET requests
 * are left out (they are about the HTTP door, not about a failing fetch).
 */
export async function failureCorpus(api: GraphQLSchema, guards: Guards, generated = 24): Promise<CorpusOperation[]> {
  const bff = await bffOperations();
  const ops = generatedCorpus(api, guards, generated).operations;
  return [...E2E_OPERATIONS, ...bff.operations, ...readmeOperations(), ...ops].filter((op) => op.method !== 'GET');
}
