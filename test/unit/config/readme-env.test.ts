import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE_ENV, ENV_KEYS, SUBGRAPH_URL_ENV_NAME } from '../../../gateway/config/load.ts';

/** The README's env table (under "## Configuration"): the env var column, each name in backticks. */
function readmeEnvVars(): Set<string> {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('\n## Configuration'));
  const table = section.slice(section.indexOf('| env var |'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  return new Set(rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z0-9_<>]+)`/g)].map((m) => m[1] ?? '')));
}

describe('the README env table', () => {
  it('lists every env var the config loader reads', () => {
    const listed = readmeEnvVars();
    const source = readFileSync('gateway/config/load.ts', 'utf8');
    // What load.ts reads directly (env.X / env[X]) as well as its env → key table.
    const readDirectly = [...source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1] ?? '');
    const read = new Set([...ENV_KEYS.map(([name]) => name), CONFIG_FILE_ENV, SUBGRAPH_URL_ENV_NAME, ...readDirectly]);
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((name) => !listed.has(name))).toEqual([]);
  });
});
