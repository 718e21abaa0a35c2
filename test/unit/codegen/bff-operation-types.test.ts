import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BFF_CLIENTS, GENERATED_FILE, bffOperationTypes, supergraphApiSchema } from '../../../schema/codegen/bff-operation-types.ts';

describe('generated BFF operation types', () => {
  const schema = supergraphApiSchema('schema/supergraph.graphql');

  for (const client of BFF_CLIENTS) {
    it(`bffs/${client}/${GENERATED_FILE} is what npm run codegen writes from its operations and the supergraph`, async () => {
      const committed = readFileSync(join('bffs', client, GENERATED_FILE), 'utf8');
      expect(await bffOperationTypes(schema, join('bffs', client, 'operations')), `run npm run codegen`).toBe(committed);
    });
  }

  it('a supergraph without a field an operation reads cannot be generated against', async () => {
    // Generation validates the documents: what a resolver reads can never silently become `unknown`.
    const narrowed = buildSchema('type Query { me: User } type User { id: ID! }');
    await expect(bffOperationTypes(narrowed, join('bffs', 'mobile', 'operations'))).rejects.toThrow(/name|avatarUrl|Cannot query field/);
  });
});
