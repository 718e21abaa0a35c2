import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../../gateway/errors/codes.ts';

/** Clients match on codes, so every code the gateway can send is in the README's table, with its status. */
describe('error codes', () => {
  const readme = readFileSync('README.md', 'utf8');
  const table = readme.slice(readme.indexOf('## Errors'), readme.indexOf('\n## ', readme.indexOf('## Errors') + 1));
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));

  it.each(Object.entries(errorCodes))('%s is documented with its HTTP status', (code, { status }) => {
    const row = rows.find((r) => r.split('|')[1]?.includes(`\`${code}\``));
    expect(row, `README "## Errors" has no row for ${code}`).toBeDefined();
    expect(row?.split('|')[2]?.trim().split(/,\s*/)).toContain(String(status));
  });

  it('documents no code the gateway does not have', () => {
    const documented = rows.flatMap((r) => [...(r.split('|')[1] ?? '').matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]));
    expect(documented.filter((c) => !(c !== undefined && c in errorCodes))).toEqual([]);
  });
});
