import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadOperations, operation } from '../../../bffs/kit/operations.ts';

function folder(files: Record<string, string>): URL {
  const dir = mkdtempSync(join(tmpdir(), 'bff-ops-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return pathToFileURL(`${dir}/`);
}

describe('loadOperations', () => {
  it('sends each operation with exactly the fragments it spreads, transitively', () => {
    const ops = loadOperations(
      folder({
        'a.graphql': 'query A { me { ...U } } fragment U on User { id ...N } fragment N on User { name } fragment Unused on User { id }',
      }),
      { A: operation<unknown>() },
    );
    expect(ops.A.text).toContain('fragment U on User');
    expect(ops.A.text).toContain('fragment N on User');
    expect(ops.A.text).not.toContain('Unused');
  });

  it('refuses at start-up an operation spreading a fragment no file defines', () => {
    expect(() => loadOperations(folder({ 'a.graphql': 'query A { me { ...Missing } }' }), { A: operation<unknown>() })).toThrow('operation A spreads unknown fragment Missing');
  });

  it('refuses a declared operation without a document, and a document nobody declared', () => {
    expect(() => loadOperations(folder({ 'a.graphql': 'query A { me { id } }' }), { A: operation<unknown>(), B: operation<unknown>() })).toThrow(/B is declared but no file/);
    expect(() => loadOperations(folder({ 'a.graphql': 'query A { me { id } } query C { me { id } }' }), { A: operation<unknown>() })).toThrow(/nobody declared: C/);
  });
});
