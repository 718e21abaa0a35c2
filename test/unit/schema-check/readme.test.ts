import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { changeKinds } from '../../../schema/check/diff/change-kinds.ts';
import { exitCodes } from '../../../schema/check/exit-codes.ts';

const readme = readFileSync(new URL('../../../schema/check/README.md', import.meta.url), 'utf8');

describe('schema/check/README.md', () => {
  it('documents every change kind with its criticality', () => {
    for (const [kind, spec] of Object.entries(changeKinds)) expect(readme).toContain(`| \`${kind}\` | ${spec.criticality} |`);
  });

  it('documents every exit code', () => {
    for (const code of Object.values(exitCodes)) expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
