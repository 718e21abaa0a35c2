import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../schema/check/run-check.ts';
import { prepareWorkspace, type Workspace } from '../unit/schema-check/workspace.ts';

/**
 * BFF contracts against a real git base: the fixture workspace is committed in a throwaway
 * repository, the working tree is changed, and the check (library and CLI) compares the
 * BFF schema with the committed one. The registry (schema/clients) lists mobile 1.0
 * (documents) and 2.0 (a persisted query manifest) on the fixture's mobile BFF.
 */
const exec = promisify(execFile);
const REPO = new URL('../..', import.meta.url).pathname;
const CLI = join(REPO, 'schema/check/cli.ts');
const BFF = 'bffs/mobile/schema.graphql';
const MOBILE_1 = 'schema/clients/mobile/1.0/home.graphql';
const MOBILE_2 = 'schema/clients/mobile/2.0/persisted-query-manifest.json';

let workspace: Workspace | undefined;
afterEach(async () => {
  await workspace?.remove();
  workspace = undefined;
});

async function repository(): Promise<Workspace> {
  const ws = await prepareWorkspace();
  const git = (...args: string[]) => exec('git', ['-c', 'user.name=check', '-c', 'user.email=check@example.invalid', ...args], { cwd: ws.root });
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', '.');
  await git('commit', '--quiet', '-m', 'base');
  return ws;
}

/** Edits a working-tree file of the workspace; fails the test if `from` is not there. */
async function edit(root: string, file: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(join(root, file), 'utf8');
  const next = text.replace(from, to);
  expect(next, `${file} must contain ${String(from)}`).not.toBe(text);
  await writeFile(join(root, file), next);
}

/** The 1-based line of the first line of `file` containing `text`. */
async function lineOf(root: string, file: string, text: string): Promise<number> {
  const index = (await readFile(join(root, file), 'utf8')).split('\n').findIndex((l) => l.includes(text));
  expect(index, `${file} must contain ${text}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

function cli(root: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, '--root', root, ...args], { cwd: REPO, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const removeBadgeCount = (root: string) => edit(root, BFF, /\s+"Read by 1\.0 only\."\n\s+badgeCount: Int!/, '');

describe('schema:check: BFF contracts with registered client versions', () => {
  it('fails (exit 1) when a BFF field used by mobile 1.0 is removed, naming client, version, operation, file and line', async () => {
    workspace = await repository();
    const line = await lineOf(workspace.root, MOBILE_1, 'badgeCount');
    await removeBadgeCount(workspace.root);

    const result = await runCheck({ root: workspace.root });
    expect(result.outcome).toBe('operations-failed');
    const mobile = result.bffs.find((b) => b.bff === 'mobile');
    expect(mobile?.base).toMatchObject({ kind: 'compared' });
    expect(mobile?.changes).toEqual([
      expect.objectContaining({
        kind: 'FIELD_REMOVED',
        coordinate: 'Home.badgeCount',
        severity: 'error',
        location: { file: BFF },
        usedBy: [{ operation: 'Home', client: { name: 'mobile', version: '1.0' }, file: MOBILE_1, line }],
      }),
    ]);

    const text = await cli(workspace.root);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`used by Home of mobile 1.0 (${MOBILE_1}:${line})`);
    const github = await cli(workspace.root, '--format', 'github');
    expect(github.code).toBe(1);
    const errors = github.stdout.split('\n').filter((l) => l.startsWith('::error'));
    // Reported once: the use and the validation error it causes on that line are one annotation.
    expect(errors).toEqual([
      `::error file=${MOBILE_1},line=${line},col=5,title=Breaking change FIELD_REMOVED%3A Home.badgeCount (bff mobile)::field Home.badgeCount was removed [bff mobile]. Operation Home of mobile 1.0 uses it here: Cannot query field "badgeCount" on type "Home".`,
    ]);
  });

  it('passes (exit 0) with the same removal once mobile 1.0 is retired from the registry; the break is a warning', async () => {
    workspace = await repository();
    await removeBadgeCount(workspace.root);
    await rm(join(workspace.root, 'schema/clients/mobile/1.0'), { recursive: true });

    const result = await runCheck({ root: workspace.root });
    expect(result.outcome).toBe('passed');
    expect(result.bffs.find((b) => b.bff === 'mobile')).toMatchObject({
      versions: ['mobile 2.0'],
      changes: [expect.objectContaining({ kind: 'FIELD_REMOVED', coordinate: 'Home.badgeCount', severity: 'warning', usedBy: [] })],
    });
    const run = await cli(workspace.root, '--format', 'github');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `::warning file=${BFF},title=Breaking change FIELD_REMOVED%3A Home.badgeCount (bff mobile)::field Home.badgeCount was removed [bff mobile]; no listed client version uses it`,
    );
    expect(run.stdout).not.toContain('::error');
  });

  it('warns, and passes, when the removed field is used by no version', async () => {
    workspace = await repository();
    await edit(workspace.root, BFF, /\s+"Read by no version\."\n\s+legacyBanner: String/, '');
    const result = await runCheck({ root: workspace.root });
    expect(result.outcome).toBe('passed');
    expect(result.bffs[0]?.changes).toEqual([expect.objectContaining({ coordinate: 'Home.legacyBanner', severity: 'warning', usedBy: [] })]);
  });

  it('points a break in a manifest-registered version at its entry in the manifest', async () => {
    workspace = await repository();
    await edit(workspace.root, BFF, 'search(term: String!, first: Int)', 'search(term: String!)');
    const line = await lineOf(workspace.root, MOBILE_2, '"body": "query Search');

    const result = await runCheck({ root: workspace.root });
    expect(result.outcome).toBe('operations-failed');
    const mobile = result.bffs[0];
    expect(mobile?.changes).toEqual([
      expect.objectContaining({ kind: 'ARG_REMOVED', coordinate: 'Query.search(first:)', usedBy: [{ operation: 'Search', client: { name: 'mobile', version: '2.0' }, file: MOBILE_2, line }] }),
    ]);
    expect(mobile?.operations.invalid).toEqual([
      expect.objectContaining({ file: MOBILE_2, line, column: 1, operations: ['Search'], client: { name: 'mobile', version: '2.0' } }),
    ]);
  });

  it("fails when a field is narrowed to one member and a live version spreads another member in it", async () => {
    workspace = await repository();
    await edit(workspace.root, BFF, 'feed(first: Int): [FeedItem!]!', 'feed(first: Int): [Article!]!');
    const line = await lineOf(workspace.root, MOBILE_1, '... on Promo');
    const result = await runCheck({ root: workspace.root });
    expect(result.outcome).toBe('operations-failed');
    expect(result.bffs[0]?.changes).toEqual([
      expect.objectContaining({
        kind: 'FIELD_TYPE_NARROWED',
        criticality: 'breaking',
        usedBy: [{ operation: 'Home', client: { name: 'mobile', version: '1.0' }, file: MOBILE_1, line }],
      }),
    ]);
  });

  it('fails on a BFF schema that does not build, at its line', async () => {
    workspace = await repository();
    await edit(workspace.root, BFF, 'greeting: String!', 'greeting: Strin!');
    const line = await lineOf(workspace.root, BFF, 'greeting: Strin!');
    const result = await runCheck({ root: workspace.root });
    expect(result.outcome).toBe('operations-failed');
    expect(result.bffs[0]?.schemaError).toMatchObject({ file: BFF, line, message: expect.stringContaining('Unknown type "Strin".') });
  });

  it('fails on a client whose door names no BFF', async () => {
    workspace = await repository();
    await writeFile(join(workspace.root, 'schema/clients/mobile/client.yaml'), 'door: /bff/tablet/graphql\n');
    const result = await runCheck({ root: workspace.root });
    expect(result.outcome).toBe('operations-failed');
    expect(result.clients.problems).toEqual([
      expect.objectContaining({ file: 'schema/clients/mobile/client.yaml', line: 1, message: expect.stringContaining('there is no BFF "tablet"') }),
    ]);
  });

  it('a BFF the base does not have is new: its operations are validated, nothing is diffed', async () => {
    workspace = await repository();
    await exec('git', ['rm', '--quiet', '--cached', BFF], { cwd: workspace.root });
    await exec('git', ['-c', 'user.name=check', '-c', 'user.email=check@example.invalid', 'commit', '--quiet', '-m', 'no bff'], { cwd: workspace.root });
    const result = await runCheck({ root: workspace.root });
    expect(result.outcome).toBe('passed');
    expect(result.bffs[0]).toMatchObject({ base: { kind: 'added' }, changes: [], operations: { count: 3, invalid: [] } });
  });
});
