import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadClientRegistry } from '../../gateway/clients/registry.ts';

/** `npm run clients` as a developer runs it: a child process over a registry in a temp folder. */
const REPO = new URL('../..', import.meta.url).pathname;
const CLI = join(REPO, 'schema/cli/clients.ts');
const APOLLO = join(REPO, 'test/fixtures/clients/apollo-generated-manifest.json');
// The tsx loader by path: the CLI runs from temporary folders, where `--import tsx` would not resolve.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function clients(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, CLI, ...args], { cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

interface Manifest {
  format: string;
  version: number;
  operations: Array<{ id: string; name: string; type: string; body: string }>;
}

describe('npm run clients (child process)', () => {
  it('manifest: builds a manifest from documents, ids the SHA-256 of each body', { timeout: 60_000 }, async () => {
    root = await mkdtemp(join(tmpdir(), 'clients-cli-'));
    await writeFile(join(root, 'a.graphql'), 'query B { b }\nquery A { ...F }\n');
    await writeFile(join(root, 'f.graphql'), 'fragment F on Query { a }\n');
    const run = await clients(root, 'manifest', '.', '--out', 'm.json');
    expect(run.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(root, 'm.json'), 'utf8')) as Manifest;
    expect(manifest).toMatchObject({ format: 'apollo-persisted-query-manifest', version: 1 });
    expect(manifest.operations.map((o) => [o.name, o.type])).toEqual([['A', 'query'], ['B', 'query']]);
    expect(manifest.operations[0]?.body).toBe('query A {\n  ...F\n}\n\nfragment F on Query {\n  a\n}');
    for (const op of manifest.operations) expect(op.id).toBe(sha256(op.body));

    // F is in the other file: an unknown fragment is the schema check's to report, not the manifest's.
    const unresolved = await clients(root, 'manifest', 'a.graphql');
    expect(unresolved.code).toBe(0);
    await writeFile(join(root, 'anon.graphql'), '{ a }\n');
    const anonymous = await clients(root, 'manifest', 'anon.graphql');
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('anon.graphql:1:1  a registered operation needs a name');
  });

  it('import then export round-trips a manifest, and the registry reads what was imported', { timeout: 60_000 }, async () => {
    root = await mkdtemp(join(tmpdir(), 'clients-cli-'));
    const imported = await clients(root, 'import', APOLLO, '--client', 'web', '--version', '3.1', '--door', '/graphql');
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const file = join(root, 'schema/clients/web/3.1/persisted-query-manifest.json');
    expect(await readFile(join(root, 'schema/clients/web/client.yaml'), 'utf8')).toBe('door: /graphql\n');

    const exported = await clients(root, 'export', 'web', '3.1');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(await readFile(file, 'utf8'));
    const original = (JSON.parse(await readFile(APOLLO, 'utf8')) as Manifest).operations.map(({ id, name, type, body }) => ({ id, name, type, body }));
    expect((JSON.parse(exported.stdout) as Manifest).operations).toEqual([...original].sort((a, b) => a.name.localeCompare(b.name)));

    const registry = await loadClientRegistry({ root });
    expect(registry.problems).toEqual([]);
    expect(registry.clients[0]?.versions[0]?.operations.map((o) => o.origin)).toEqual(['manifest', 'manifest']);

    // A build is registered once: a second import of the same version is refused.
    const again = await clients(root, 'import', APOLLO, '--client', 'web', '--version', '3.1');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('a new build is a new version');
  });

  it('import refuses a manifest whose ids are not the SHA-256 of the bodies, and writes nothing', { timeout: 60_000 }, async () => {
    root = await mkdtemp(join(tmpdir(), 'clients-cli-'));
    const forged = (JSON.parse(await readFile(APOLLO, 'utf8')) as Manifest);
    const first = forged.operations[0];
    if (first) first.id = sha256('another body');
    await writeFile(join(root, 'forged.json'), JSON.stringify(forged, null, 2));
    const run = await clients(root, 'import', 'forged.json', '--client', 'web', '--version', '1.0', '--door', '/graphql');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not the SHA-256 of its body');
    await expect(stat(join(root, 'schema/clients/web'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('export and list read the project registry; bad arguments exit 2', { timeout: 60_000 }, async () => {
    const exported = await clients(REPO, 'export', 'mobile', '1.0');
    expect(exported.code).toBe(0);
    const registry = await loadClientRegistry({ root: REPO });
    const mobile1 = registry.clients.find((c) => c.name === 'mobile')?.versions.find((v) => v.version === '1.0');
    expect((JSON.parse(exported.stdout) as Manifest).operations.map((o) => o.id).sort()).toEqual(mobile1?.operations.map((o) => o.id).sort());

    const list = await clients(REPO, 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^mobile {2}\/bff\/mobile\/graphql/m);

    expect((await clients(REPO, 'frobnicate')).code).toBe(2);
    expect((await clients(REPO, 'export', 'mobile', '9.9')).stderr).toContain('mobile has no version "9.9" (1.0, 2.0)');
  });
});
