import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSubgraphs, type CompositionIssue } from '../../schema/compose/compose.ts';
import { loadSupergraphConfig, SupergraphConfigError } from '../../schema/compose/load-supergraph-config.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\n';

// Two small subgraphs that compose, and two ways of breaking them.
const A_OK = `${FED}type Query { a: Thing }\ntype Thing @key(fields: "id") { id: ID!\n  label: String }\n`;
const B_OK = `${FED}type Query { b: Thing }\ntype Thing @key(fields: "id") { id: ID!\n  size: Int }\n`;
const B_CONFLICT = `${FED}type Query { b: Thing }\ntype Thing @key(fields: "id") { id: ID!\n  label: Int }\n`;
const B_BAD_KEY = `${FED}type Query { b: Other }\ntype Other @key(fields: "missing") { id: ID! }\n`;

function sub(name: string, sdl: string) {
  return { name, url: `http://127.0.0.1:1/${name}`, sdl };
}

function errorsOf(result: ReturnType<typeof composeSubgraphs>): readonly CompositionIssue[] {
  if (result.ok) throw new Error('expected composition to fail');
  return result.errors;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'schema/cli/compose.ts', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('composeSubgraphs', () => {
  it('reproduces the committed schema/supergraph.graphql byte for byte from supergraph.yaml', async () => {
    const config = await loadSupergraphConfig(join(ROOT, 'supergraph.yaml'));
    expect(config.subgraphs.map((s) => s.name)).toEqual(['users', 'products', 'orders', 'reviews', 'inventory']);
    const result = composeSubgraphs(config.subgraphs);
    if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
    expect(result.supergraphSdl).toBe(await readFile(join(ROOT, 'schema/supergraph.graphql'), 'utf8'));
    expect(result.supergraphSdl.endsWith('}\n')).toBe(true);
  });

  it('gives the same bytes whatever order the subgraphs are listed in', () => {
    const forward = composeSubgraphs([sub('a', A_OK), sub('b', B_OK)]);
    const backward = composeSubgraphs([sub('b', B_OK), sub('a', A_OK)]);
    expect(forward.ok && backward.ok).toBe(true);
    if (forward.ok && backward.ok) expect(backward.supergraphSdl).toBe(forward.supergraphSdl);
  });

  it('names both subgraphs and the field coordinate when a field has conflicting types', () => {
    const errors = errorsOf(composeSubgraphs([sub('a', A_OK), sub('b', B_CONFLICT)]));
    const mismatch = errors.find((e) => e.code === 'FIELD_TYPE_MISMATCH');
    expect(mismatch).toMatchObject({ subgraph: 'a', subgraphs: ['a', 'b'], coordinate: 'Thing.label' });
  });

  it('names the subgraph and type when a @key selects a field that does not exist', () => {
    const errors = errorsOf(composeSubgraphs([sub('a', A_OK), sub('b', B_BAD_KEY)]));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'KEY_INVALID_FIELDS', subgraph: 'b', subgraphs: ['b'], coordinate: 'Other' });
    expect(errors[0]?.message).toContain('missing');
  });

  it('reports SDL that does not parse as INVALID_GRAPHQL with the subgraph', () => {
    const errors = errorsOf(composeSubgraphs([sub('a', A_OK), sub('b', 'type Query {')]));
    expect(errors[0]).toMatchObject({ code: 'INVALID_GRAPHQL', subgraph: 'b' });
  });

  it('refuses a subgraph name listed twice', () => {
    const errors = errorsOf(composeSubgraphs([sub('a', A_OK), sub('a', B_OK)]));
    expect(errors[0]).toMatchObject({ code: 'DUPLICATE_SUBGRAPH', subgraph: 'a' });
  });
});

describe('loadSupergraphConfig and the schema:compose CLI', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'compose-test-'));
    await writeFile(join(dir, 'a.graphql'), A_OK);
    await writeFile(join(dir, 'b.graphql'), B_OK);
    await writeFile(join(dir, 'b-conflict.graphql'), B_CONFLICT);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const yaml = (bFile: string): string =>
    [
      'federation_version: =2.14.4',
      'subgraphs:',
      '  a:',
      '    routing_url: http://127.0.0.1:4101/graphql',
      '    schema: { file: ./a.graphql }',
      '  b:',
      '    routing_url: http://127.0.0.1:4102/graphql',
      `    schema: { file: ./${bFile} }`,
      '',
    ].join('\n');

  it('resolves schema files relative to the yaml file', async () => {
    await writeFile(join(dir, 'ok.yaml'), yaml('b.graphql'));
    const config = await loadSupergraphConfig(join(dir, 'ok.yaml'));
    expect(config.federationVersion).toBe('=2.14.4');
    expect(config.subgraphs).toEqual([
      { name: 'a', url: 'http://127.0.0.1:4101/graphql', file: join(dir, 'a.graphql'), sdl: A_OK },
      { name: 'b', url: 'http://127.0.0.1:4102/graphql', file: join(dir, 'b.graphql'), sdl: B_OK },
    ]);
  });

  it('rejects a bad config with a message naming each bad key', async () => {
    const bad = ['federation_version: 1', 'subgraphs:', '  a:', '    schema: { file: ./nope.graphql }', '    extra: 1', ''].join('\n');
    await writeFile(join(dir, 'bad.yaml'), bad);
    const error = await loadSupergraphConfig(join(dir, 'bad.yaml')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SupergraphConfigError);
    const problems = (error as SupergraphConfigError).problems.join('\n');
    expect(problems).toContain('federation_version');
    expect(problems).toContain('subgraphs.a.routing_url');
    expect(problems).toContain('subgraphs.a.extra');
  });

  it('names a schema file that cannot be read', async () => {
    await writeFile(join(dir, 'missing.yaml'), yaml('absent.graphql'));
    const error = await loadSupergraphConfig(join(dir, 'missing.yaml')).catch((e: unknown) => e);
    expect((error as SupergraphConfigError).problems).toEqual([expect.stringContaining('subgraphs.b.schema.file')]);
  });

  it('writes the supergraph, then reports it unchanged on a second run', async () => {
    await writeFile(join(dir, 'ok.yaml'), yaml('b.graphql'));
    const out = join(dir, 'ok.graphql');
    const first = await runCli(['--config', join(dir, 'ok.yaml'), '--out', out]);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/Composed 2 subgraphs \(a, b\) .*\(written/);
    const written = await readFile(out, 'utf8');
    const again = await runCli(['--config', join(dir, 'ok.yaml'), '--out', out]);
    expect(again.stdout).toContain('unchanged');
    expect(await readFile(out, 'utf8')).toBe(written);
  });

  it('exits 1 on a composition error, prints subgraph and coordinate, and leaves the output alone', async () => {
    await writeFile(join(dir, 'conflict.yaml'), yaml('b-conflict.graphql'));
    const out = join(dir, 'untouched.graphql');
    await writeFile(out, 'previous supergraph\n');
    const run = await runCli(['--config', join(dir, 'conflict.yaml'), '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('FIELD_TYPE_MISMATCH [a, b] Thing.label');
    expect(await readFile(out, 'utf8')).toBe('previous supergraph\n');

    const fresh = join(dir, 'never-written.graphql');
    expect((await runCli(['--config', join(dir, 'conflict.yaml'), '--out', fresh])).code).toBe(1);
    await expect(readFile(fresh, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
