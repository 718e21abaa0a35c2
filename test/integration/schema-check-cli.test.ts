import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COMPOSITION_FIXTURES, prepareWorkspace, WORKSPACE_BASE, type Workspace } from '../unit/schema-check/workspace.ts';

/**
 * `schema:check` as CI runs it: a child process, judged by exit code and output. Runs
 * from the repository root so `--import tsx` resolves; fixtures are passed with --root.
 */
const REPO = new URL('../..', import.meta.url).pathname;
const CLI = join(REPO, 'schema/check/cli.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
}

function runCli(args: string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, wallMs: performance.now() - started });
    });
  });
}

let workspace: Workspace | undefined;
afterEach(async () => {
  await workspace?.remove();
  workspace = undefined;
});

describe('npm run schema:check (child process)', () => {
  it("passes on the project's own schema, well under 10 s", async () => {
    const run = await runCli(['--base-file', 'schema/supergraph.graphql']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✔ composition');
    expect(run.stdout).toContain('✔ drift');
    expect(run.stdout).toContain('Result: passed');
    console.info(`schema:check on the project schema: ${Math.round(run.wallMs)} ms wall time`);
    expect(run.wallMs).toBeLessThan(10_000);
  });

  it('exits 1 with a GitHub annotation at the operation that uses a removed field', async () => {
    workspace = await prepareWorkspace('remove-used-field');
    const run = await runCli(['--root', workspace.root, '--base-file', WORKSPACE_BASE, '--format', 'github']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    // One annotation for the use: the validation error it causes there is part of it.
    expect(lines.filter((l) => l.startsWith('::error'))).toEqual([
      '::error file=bffs/web/operations/user-profile.graphql,line=6,col=5,title=Breaking change FIELD_REMOVED%3A User.email::field User.email was removed [subgraph users]. Operation UserProfile uses it here: Cannot query field "email" on type "User".',
    ]);
    expect(lines.at(-1)).toBe('schema:check failed: a known operation is invalid or uses a breaking change');
  });

  it('exits 0 with a warning annotation when the removed field is unused', async () => {
    workspace = await prepareWorkspace('remove-unused-field');
    const run = await runCli(['--root', workspace.root, '--base-file', WORKSPACE_BASE, '--format', 'github']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^::warning file=schema\/users\.graphql,title=Breaking change FIELD_REMOVED%3A User\.phone::field User\.phone was removed \[subgraph users\]; no known operation uses it$/m);
    expect(run.stdout).not.toContain('::error');
  });

  it('exits 2 on drift', async () => {
    workspace = await prepareWorkspace('remove-unused-field', { recompose: false });
    const run = await runCli(['--root', workspace.root, '--base-file', WORKSPACE_BASE, '--format', 'github']);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^::error file=schema\/supergraph\.graphql,line=\d+,title=Supergraph drift::.*npm run schema:compose/m);
  });

  it('exits 3 on a composition failure, annotating the subgraph line', async () => {
    const run = await runCli(['--root', join(COMPOSITION_FIXTURES, 'conflicting-field-types'), '--format', 'github']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^::error file=schema\/products\.graphql,line=11,title=Composition failed%3A FIELD_TYPE_MISMATCH::\[products, users\] User\.loyaltyPoints: /m);
  });

  it('prints a JSON document with --json', async () => {
    workspace = await prepareWorkspace('remove-used-field');
    const run = await runCli(['--root', workspace.root, '--base-file', WORKSPACE_BASE, '--json']);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as { exitCode: number; outcome: string; changes: Array<{ kind: string; usedBy: unknown[] }> };
    expect(doc).toMatchObject({ exitCode: 1, outcome: 'operations-failed' });
    expect(doc.changes[0]).toMatchObject({ kind: 'FIELD_REMOVED', usedBy: [{ operation: 'UserProfile', line: 6 }] });
  });

  it('exits 4 on bad arguments and unreadable files', { timeout: 60_000 }, async () => {
    const unknown = await runCli(['--bogus']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
    const both = await runCli(['--base', 'HEAD', '--base-file', 'x.graphql']);
    expect(both.code).toBe(4);
    const missing = await runCli(['--base-file', 'does/not/exist.graphql']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/--base-file \S*does\/not\/exist\.graphql: cannot read it \(ENOENT\)/);
    const format = await runCli(['--format', 'xml']);
    expect(format.code).toBe(4);
  });
});
