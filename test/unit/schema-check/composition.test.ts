import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../../schema/check/run-check.ts';
import { COMPOSITION_FIXTURES } from './workspace.ts';

describe('composition failures', () => {
  it('reports a @key on a missing field with its subgraph, coordinate and line', async () => {
    const result = await runCheck({ root: join(COMPOSITION_FIXTURES, 'key-on-missing-field'), base: { kind: 'git' } });
    expect(result.outcome).toBe('composition-failed');
    expect(result.composition).toEqual({
      ok: false,
      subgraphs: ['users', 'products'],
      errors: [
        expect.objectContaining({
          code: 'KEY_INVALID_FIELDS',
          subgraphs: ['products'],
          coordinate: 'Product',
          location: { file: 'schema/products.graphql', line: 9 },
        }),
      ],
    });
    expect(result.drift).toBeUndefined();
  });

  it('reports a field typed differently in two subgraphs with the field coordinate', async () => {
    const result = await runCheck({ root: join(COMPOSITION_FIXTURES, 'conflicting-field-types'), base: { kind: 'git' } });
    expect(result.outcome).toBe('composition-failed');
    const errors = result.composition.ok ? [] : result.composition.errors;
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'FIELD_TYPE_MISMATCH',
        coordinate: 'User.loyaltyPoints',
        location: { file: 'schema/products.graphql', line: 11 },
      }),
    ]);
    expect(errors[0]?.subgraphs).toEqual(expect.arrayContaining(['users', 'products']));
  });
});
