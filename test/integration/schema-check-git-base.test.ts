import { execFile } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../schema/check/run-check.ts';
import { prepareWorkspace, recompose, WORKSPACE, type Workspace } from '../unit/schema-check/workspace.ts';

const exec = promisify(execFile);

/** A throwaway repository whose first commit is the fixture workspace, as a base to diff. */
async function repository(): Promise<Workspace> {
  const ws = await prepareWorkspace();
  const git = (...args: string[]) => exec('git', ['-c', 'user.name=check', '-c', 'user.email=check@example.invalid', ...args], { cwd: ws.root });
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', '.');
  await git('commit', '--quiet', '-m', 'base');
  return ws;
}

let workspace: Workspace | undefined;
afterEach(async () => {
  await workspace?.remove();
  workspace = undefined;
});

describe('schema:check against a git base', () => {
  it("composes the base commit's subgraphs and finds the working tree's breaking change", async () => {
    workspace = await repository();
    await cp(join(WORKSPACE, 'changes/remove-used-field/users.graphql'), join(workspace.root, 'schema/users.graphql'));
    await recompose(workspace.root);

    const result = await runCheck({ root: workspace.root, base: { kind: 'git', ref: 'HEAD' } });
    expect(result.base).toMatchObject({ kind: 'git', ref: 'HEAD', from: 'composed' });
    expect(result.outcome).toBe('operations-failed');
    expect(result.changes).toEqual([expect.objectContaining({ kind: 'FIELD_REMOVED', coordinate: 'User.email', subgraphs: ['users'] })]);
  });

  it('defaults to HEAD when there is no origin/main', async () => {
    workspace = await repository();
    const result = await runCheck({ root: workspace.root });
    expect(result.base).toMatchObject({ kind: 'git', ref: 'HEAD' });
    expect(result.outcome).toBe('passed');
  });

  it("falls back to the base's committed supergraph when its subgraphs do not compose", async () => {
    workspace = await repository();
    const git = (...args: string[]) => exec('git', ['-c', 'user.name=check', '-c', 'user.email=check@example.invalid', ...args], { cwd: workspace?.root });
    await writeFile(join(workspace.root, 'schema/products.graphql'), 'type Query { broken: }\n');
    await git('commit', '--quiet', '-am', 'break products');
    await exec('git', ['checkout', '--quiet', 'HEAD~1', '--', 'schema/products.graphql'], { cwd: workspace.root });

    const result = await runCheck({ root: workspace.root, base: { kind: 'git', ref: 'HEAD' } });
    expect(result.base).toMatchObject({ kind: 'git', from: 'committed-supergraph' });
    expect(result.outcome).toBe('passed');
  });

  it('reports no base when the folder is not a repository', async () => {
    workspace = await prepareWorkspace();
    const result = await runCheck({ root: workspace.root });
    // mkdtemp folders live outside any repository, so neither default ref resolves.
    expect(result.base).toMatchObject({ kind: 'none' });
  });

  it('rejects an unknown ref', async () => {
    workspace = await repository();
    await expect(runCheck({ root: workspace.root, base: { kind: 'git', ref: 'no-such-ref' } })).rejects.toMatchObject({ code: 'SCHEMA_CHECK_USAGE' });
  });
});
