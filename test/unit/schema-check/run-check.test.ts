import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { printSchema } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { apiSchemaOfSupergraph } from '../../../schema/check/api-schema.ts';
import { runCheck } from '../../../schema/check/run-check.ts';
import type { CheckResult } from '../../../schema/check/result.ts';
import { prepareWorkspace, WORKSPACE, WORKSPACE_BASE, type Workspace } from './workspace.ts';

let workspace: Workspace | undefined;
afterEach(async () => {
  await workspace?.remove();
  workspace = undefined;
});

async function check(change?: string, options: { recompose?: boolean } = {}): Promise<CheckResult> {
  workspace = await prepareWorkspace(change, options);
  return runCheck({ root: workspace.root, base: { kind: 'file', path: WORKSPACE_BASE } });
}

describe('runCheck on the fixture workspace', () => {
  it('passes with no changes, having found every operation', async () => {
    const result = await runCheck({ root: WORKSPACE, base: { kind: 'file', path: WORKSPACE_BASE } });
    expect(result.outcome).toBe('passed');
    expect(result.drift).toEqual({ ok: true, file: 'schema/supergraph.graphql' });
    expect(result.changes).toEqual([]);
    expect(result.operations).toEqual({ files: 5, count: 4, invalid: [] });
  });

  it('fails when a removed field is used by an operation, naming the operation, file and line', async () => {
    const result = await check('remove-used-field');
    expect(result.outcome).toBe('operations-failed');
    expect(result.changes).toHaveLength(1);
    expect(result.changes[0]).toMatchObject({
      kind: 'FIELD_REMOVED',
      coordinate: 'User.email',
      severity: 'error',
      subgraphs: ['users'],
      usedBy: [{ operation: 'UserProfile', file: 'bffs/web/operations/user-profile.graphql', line: 6 }],
    });
    expect(result.operations.invalid).toEqual([
      expect.objectContaining({ file: 'bffs/web/operations/user-profile.graphql', line: 6, operations: ['UserProfile'] }),
    ]);
  });

  it('only warns when the removed field is used by no operation', async () => {
    const result = await check('remove-unused-field');
    expect(result.outcome).toBe('passed');
    expect(result.changes).toEqual([
      expect.objectContaining({
        kind: 'FIELD_REMOVED',
        coordinate: 'User.phone',
        severity: 'warning',
        usedBy: [],
        subgraphs: ['users'],
        // Removed, so no line; the subgraph's file is where a fix would go.
        location: { file: 'schema/users.graphql' },
      }),
    ]);
  });

  it('fails on a used field made nullable although operations still validate against it', async () => {
    const result = await check('nullable-used-field');
    expect(result.outcome).toBe('operations-failed');
    const change = result.changes.find((c) => c.kind === 'FIELD_MADE_NULLABLE');
    expect(change).toMatchObject({ coordinate: 'User.name', severity: 'error', location: { file: 'schema/users.graphql', line: 15 } });
    expect(change?.usedBy.map((u) => u.operation).sort()).toEqual(['GoldUsers', 'Search', 'UpdateUser', 'UserProfile']);
  });

  it('traces a union member removal to the fragment that spreads it', async () => {
    const result = await check('remove-union-member');
    expect(result.changes).toEqual([
      expect.objectContaining({
        kind: 'UNION_MEMBER_REMOVED',
        coordinate: 'SearchResult',
        subgraphs: ['products'],
        usedBy: [{ operation: 'Search', file: 'bffs/mobile/operations/search.graphql', line: 8 }],
      }),
    ]);
  });

  it('counts an enum value sent as a literal as used, and one never sent as unused', async () => {
    const used = await check('remove-used-enum-value');
    expect(used.changes[0]).toMatchObject({ coordinate: 'Tier.GOLD', severity: 'error', usedBy: [{ operation: 'GoldUsers' }] });
    await workspace?.remove();
    const unused = await check('remove-unused-enum-value');
    expect(unused.outcome).toBe('passed');
    expect(unused.changes[0]).toMatchObject({ coordinate: 'Tier.BRONZE', severity: 'warning', usedBy: [] });
  });

  it("fails a registered /graphql client's operation whose input object gains a required field", async () => {
    const result = await check('add-required-input-field');
    expect(result.outcome).toBe('operations-failed');
    expect(result.changes[0]).toMatchObject({
      kind: 'REQUIRED_INPUT_FIELD_ADDED',
      coordinate: 'UpdateUserInput.locale',
      usedBy: [{ operation: 'UpdateUser', client: { name: 'partner', version: '1.0' }, file: 'schema/clients/partner/1.0/update-user.graphql', line: 1 }],
    });
  });

  it("validates every listed client version against its BFF's schema, even without a BFF base", async () => {
    workspace = await prepareWorkspace();
    const file = join(workspace.root, 'schema/clients/mobile/1.0/home.graphql');
    await appendFile(file, '\nquery Stale {\n  home {\n    weather\n  }\n}\n');
    const line = (await readFile(file, 'utf8')).split('\n').indexOf('    weather') + 1;
    const result = await runCheck({ root: workspace.root, base: { kind: 'file', path: WORKSPACE_BASE } });
    expect(result.outcome).toBe('operations-failed');
    const [mobile] = result.bffs;
    expect(mobile).toMatchObject({ bff: 'mobile', file: 'bffs/mobile/schema.graphql', base: { kind: 'none' }, versions: ['mobile 1.0', 'mobile 2.0'], changes: [] });
    expect(mobile?.operations.invalid).toEqual([
      expect.objectContaining({ file: 'schema/clients/mobile/1.0/home.graphql', line, operations: ['Stale'], client: { name: 'mobile', version: '1.0' } }),
    ]);
    expect(result.clients.clients.map((c) => [c.name, c.door, c.versions.map((v) => v.version)])).toEqual([
      ['mobile', '/bff/mobile/graphql', ['1.0', '2.0']],
      ['partner', '/graphql', ['1.0']],
    ]);
  });

  it('fails on a registry problem, with its file and line', async () => {
    workspace = await prepareWorkspace();
    await writeFile(join(workspace.root, 'schema/clients/partner/1.0/more.graphql'), 'query UpdateUser {\n  user(id: "1") {\n    id\n  }\n}\n');
    const result = await runCheck({ root: workspace.root, base: { kind: 'file', path: WORKSPACE_BASE } });
    expect(result.outcome).toBe('operations-failed');
    expect(result.clients.problems).toEqual([
      expect.objectContaining({ file: 'schema/clients/partner/1.0/update-user.graphql', line: 1, message: expect.stringContaining('operation "UpdateUser" is also defined at schema/clients/partner/1.0/more.graphql:1') }),
    ]);
  });

  it('reports drift when the committed supergraph is not the fresh composition', async () => {
    const result = await check('remove-unused-field', { recompose: false });
    expect(result.outcome).toBe('drift');
    expect(result.drift).toMatchObject({ ok: false, file: 'schema/supergraph.graphql', reason: 'different' });
    // The other checks still ran.
    expect(result.changes).toHaveLength(1);
  });

  it('reports a missing supergraph as drift', async () => {
    workspace = await prepareWorkspace();
    await rm(join(workspace.root, 'schema/supergraph.graphql'));
    const result = await runCheck({ root: workspace.root, base: { kind: 'file', path: WORKSPACE_BASE } });
    expect(result.drift).toEqual({ ok: false, file: 'schema/supergraph.graphql', reason: 'missing' });
  });

  it('fails on an operation that does not parse, with its file and line', async () => {
    workspace = await prepareWorkspace();
    await writeFile(join(workspace.root, 'bffs/web/operations/broken.graphql'), 'query Broken {\n  user(id: "1") {\n    id\n');
    const result = await runCheck({ root: workspace.root, base: { kind: 'file', path: WORKSPACE_BASE } });
    expect(result.outcome).toBe('operations-failed');
    expect(result.operations.invalid).toEqual([expect.objectContaining({ file: 'bffs/web/operations/broken.graphql', line: 4 })]);
  });

  it('fails on an operation spreading an unknown fragment', async () => {
    workspace = await prepareWorkspace();
    await appendFile(join(workspace.root, 'bffs/mobile/operations/gold-users.graphql'), '\nquery Favs { user(id: "1") { ...FavoriteProducts } }\n');
    const result = await runCheck({ root: workspace.root, base: { kind: 'file', path: WORKSPACE_BASE } });
    // FavoriteProducts lives in the web client's folder: fragments do not cross clients.
    expect(result.operations.invalid).toEqual([
      expect.objectContaining({ file: 'bffs/mobile/operations/gold-users.graphql', message: 'Unknown fragment "FavoriteProducts".', operations: ['Favs'] }),
    ]);
  });

  it('accepts an API schema as the base', async () => {
    workspace = await prepareWorkspace();
    const api = printSchema(apiSchemaOfSupergraph(await readFile(WORKSPACE_BASE, 'utf8')));
    const base = join(workspace.root, 'base-api.graphql');
    await writeFile(base, api.replace('type User {\n', 'type User {\n  legacyId: ID\n'));
    const result = await runCheck({ root: workspace.root, base: { kind: 'file', path: 'base-api.graphql' } });
    expect(result.base).toEqual({ kind: 'file', file: 'base-api.graphql' });
    // An API schema names no subgraphs, so a removed element is traced to none.
    expect(result.changes).toEqual([expect.objectContaining({ kind: 'FIELD_REMOVED', coordinate: 'User.legacyId', severity: 'warning', subgraphs: [] })]);
  });

  it('throws a usage error for an unreadable base file', async () => {
    await expect(runCheck({ root: WORKSPACE, base: { kind: 'file', path: 'nope.graphql' } })).rejects.toMatchObject({ code: 'SCHEMA_CHECK_USAGE' });
  });
});
