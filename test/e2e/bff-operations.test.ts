import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ops as adminOps } from '../../bffs/admin/supergraph-operations.ts';
import { ops as mobileOps } from '../../bffs/mobile/supergraph-operations.ts';
import { ops as webOps } from '../../bffs/web/supergraph-operations.ts';
import { apiSchemaOfSupergraph } from '../../schema/check/api-schema.ts';
import { loadOperations, validateOperations } from '../../schema/check/operations.ts';

/**
 * The BFFs' supergraph operations are client operations like any other: they validate
 * against the API schema of schema/supergraph.graphql, and `npm run schema:check` finds
 * them (bffs/<client>/operations) and fails a change that breaks one.
 */
const ROOT = new URL('../..', import.meta.url).pathname;

describe('BFF supergraph operations', () => {
  it('all validate against the supergraph API schema', async () => {
    const api = apiSchemaOfSupergraph(await readFile(new URL('schema/supergraph.graphql', `file://${ROOT}`), 'utf8'));
    const known = await loadOperations(ROOT);
    expect(known.problems).toEqual([]);
    const bffOperations = known.operations.filter((op) => op.file.startsWith('bffs/'));
    expect(validateOperations(api, bffOperations)).toEqual([]);
  });

  it('are exactly the operations each BFF declares and sends', async () => {
    const known = await loadOperations(ROOT);
    const byClient = (client: string) =>
      known.operations
        .filter((op) => op.file.startsWith(`bffs/${client}/operations/`))
        .map((op) => op.name)
        .sort();
    expect(byClient('mobile')).toEqual(Object.keys(mobileOps).sort());
    expect(byClient('web')).toEqual(Object.keys(webOps).sort());
    expect(byClient('admin')).toEqual(Object.keys(adminOps).sort());
    // Mutations are typed as such (so the upstream pipeline never retries them).
    expect(adminOps.AdminCancelOrder.type).toBe('mutation');
    expect(adminOps.AdminUpdateOrderStatus.type).toBe('mutation');
    expect(webOps.WebProductCards.type).toBe('query');
    // Fragments travel with the operations that spread them.
    expect(adminOps.AdminCancelOrder.text).toContain('fragment AdminOrderFields on Order');
    expect(adminOps.AdminSearchUsers.text).not.toContain('AdminOrderFields');
  });
});
