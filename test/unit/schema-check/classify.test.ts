import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changeKinds, type ChangeKind } from '../../../schema/check/diff/change-kinds.ts';
import { diffSchemas } from '../../../schema/check/diff/diff-schemas.ts';
import { FIXTURES, fixtureSchema } from './fixture-schema.ts';

/**
 * One test per fixture folder `<kind>[--variant]/` holding before.graphql, after.graphql and
 * expected.json. The folder name must be one of the expected kinds and the expected list
 * must match the diff exactly, so a fixture cannot pass by producing nothing.
 */
interface Expected {
  description: string;
  input: 'subgraph' | 'api';
  changes: Array<{ kind: ChangeKind; criticality: string; coordinate: string }>;
}

const folders = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(FIXTURES, e.name, 'before.graphql')))
  .map((e) => e.name)
  .sort();

const kindOfFolder = (name: string): string => (name.split('--')[0] ?? name).toUpperCase().replace(/-/g, '_');
const sortKey = (c: { kind: string; coordinate: string }): string => `${c.kind} ${c.coordinate}`;

describe('change classification fixtures', () => {
  it.each(folders)('%s', (name) => {
    const folder = join(FIXTURES, name);
    const expected = JSON.parse(readFileSync(join(folder, 'expected.json'), 'utf8')) as Expected;
    expect(expected.changes.length).toBeGreaterThan(0);
    expect(expected.changes.map((c) => c.kind)).toContain(kindOfFolder(name));

    const changes = diffSchemas(fixtureSchema(folder, 'before', expected.input), fixtureSchema(folder, 'after', expected.input));
    const actual = changes.map(({ kind, criticality, coordinate }) => ({ kind, criticality, coordinate }));
    expect(actual.sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
      [...expected.changes].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    );
    for (const c of expected.changes) expect(changeKinds[c.kind].criticality).toBe(c.criticality);
  });

  it('covers at least 15 breaking and 10 safe or dangerous kinds', () => {
    const covered = new Set(folders.map(kindOfFolder));
    const byCriticality = (wanted: (c: string) => boolean): number =>
      [...covered].filter((k) => k in changeKinds && wanted(changeKinds[k as ChangeKind].criticality)).length;
    expect(byCriticality((c) => c === 'breaking')).toBeGreaterThanOrEqual(15);
    expect(byCriticality((c) => c !== 'breaking')).toBeGreaterThanOrEqual(10);
  });

  it('every folder is a known kind', () => {
    for (const name of folders) expect(Object.keys(changeKinds)).toContain(kindOfFolder(name));
  });
});
