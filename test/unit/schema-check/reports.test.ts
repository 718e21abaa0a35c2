import { describe, expect, it } from 'vitest';
import { renderGithub } from '../../../schema/check/report/github.ts';
import { renderJson } from '../../../schema/check/report/json.ts';
import { renderText } from '../../../schema/check/report/text.ts';
import type { AssessedChange, BffContractReport, CheckResult } from '../../../schema/check/result.ts';

const used: AssessedChange = {
  kind: 'FIELD_REMOVED',
  criticality: 'breaking',
  coordinate: 'User.email',
  message: 'field User.email was removed',
  usageKeys: ['User.email'],
  sourceKey: 'User.email',
  severity: 'error',
  subgraphs: ['users'],
  usedBy: [{ operation: 'UserProfile', file: 'bffs/web/operations/user-profile.graphql', line: 6 }],
};
const unused: AssessedChange = {
  ...used,
  coordinate: 'User.phone',
  message: 'field User.phone was removed',
  severity: 'warning',
  location: { file: 'schema/users.graphql' },
  usedBy: [],
};
const added: AssessedChange = { ...used, kind: 'FIELD_ADDED', criticality: 'safe', coordinate: 'User.nick', message: 'field User.nick was added', severity: 'info', usedBy: [] };

const result: CheckResult = {
  outcome: 'operations-failed',
  composition: { ok: true, subgraphs: ['users', 'products'] },
  drift: { ok: true, file: 'schema/supergraph.graphql' },
  base: { kind: 'git', ref: 'origin/main', commit: '0123456789abcdef0123', from: 'composed' },
  changes: [used, unused, added],
  operations: {
    files: 2,
    count: 3,
    invalid: [{ file: 'bffs/web/operations/user-profile.graphql', line: 6, column: 5, message: 'Cannot query field "email" on type "User".', operations: ['UserProfile'] }],
  },
  bffs: [],
  clients: { dir: 'schema/clients', clients: [], problems: [] },
  summary: { breaking: 2, breakingUsed: 1, dangerous: 0, safe: 1, invalidOperations: 1 },
  durationMs: 123.4,
};

describe('reports', () => {
  it('github: errors at the operation that uses the change, warnings at the subgraph, nothing for safe changes', () => {
    const lines = renderGithub(result).trimEnd().split('\n');
    expect(lines).toEqual([
      // The use and the validation error it causes on that line are one annotation.
      '::error file=bffs/web/operations/user-profile.graphql,line=6,col=5,title=Breaking change FIELD_REMOVED%3A User.email::field User.email was removed [subgraph users]. Operation UserProfile uses it here: Cannot query field "email" on type "User".',
      '::warning file=schema/users.graphql,title=Breaking change FIELD_REMOVED%3A User.phone::field User.phone was removed [subgraph users]; no known operation uses it',
      'schema:check failed: a known operation is invalid or uses a breaking change',
    ]);
  });

  it('github: one annotation per line of a change, naming every operation using it there; other problems stay', () => {
    const fragmentLine = { file: 'bffs/web/operations/fragments.graphql', line: 3 };
    const shared: CheckResult = {
      ...result,
      changes: [{ ...used, usedBy: [{ operation: 'A', ...fragmentLine }, { operation: 'B', ...fragmentLine }] }],
      operations: {
        ...result.operations,
        invalid: [
          { ...fragmentLine, column: 3, message: 'Cannot query field "email" on type "User".', operations: ['A', 'B'] },
          { file: 'bffs/web/operations/other.graphql', line: 9, column: 1, message: 'Unknown fragment "X".', operations: ['C'] },
        ],
      },
    };
    const errors = renderGithub(shared).split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toEqual([
      '::error file=bffs/web/operations/fragments.graphql,line=3,col=3,title=Breaking change FIELD_REMOVED%3A User.email::field User.email was removed [subgraph users]. Operations A, B use it here: Cannot query field "email" on type "User".',
      '::error file=bffs/web/operations/other.graphql,line=9,col=1,title=Invalid operation C::Unknown fragment "X".',
    ]);
  });

  it('github and text: a BFF contract names the client version, the operation and the line', () => {
    const mobile = { name: 'mobile', version: '1.0' };
    const bff: BffContractReport = {
      bff: 'mobile',
      file: 'bffs/mobile/schema.graphql',
      base: { kind: 'compared', commit: 'abcdef0123456789' },
      changes: [
        {
          ...used,
          coordinate: 'ActiveOrder.itemCount',
          message: 'field ActiveOrder.itemCount was removed',
          subgraphs: [],
          location: { file: 'bffs/mobile/schema.graphql' },
          usedBy: [{ operation: 'MobileHome', client: mobile, file: 'schema/clients/mobile/1.0/home.graphql', line: 12 }],
        },
      ],
      operations: {
        files: 3,
        count: 4,
        invalid: [{ file: 'schema/clients/mobile/1.0/home.graphql', line: 12, column: 7, message: 'Cannot query field "itemCount" on type "ActiveOrder".', operations: ['MobileHome'], client: mobile }],
      },
      versions: ['mobile 1.0', 'mobile 2.0'],
    };
    const withBff: CheckResult = { ...result, changes: [], operations: { ...result.operations, invalid: [] }, bffs: [bff] };
    expect(renderGithub(withBff).split('\n').filter((l) => l.startsWith('::error'))).toEqual([
      '::error file=schema/clients/mobile/1.0/home.graphql,line=12,col=7,title=Breaking change FIELD_REMOVED%3A ActiveOrder.itemCount (bff mobile)::field ActiveOrder.itemCount was removed [bff mobile]. Operation MobileHome of mobile 1.0 uses it here: Cannot query field "itemCount" on type "ActiveOrder".',
    ]);
    const text = renderText(withBff);
    expect(text).toContain('✖ bff mobile   bffs/mobile/schema.graphql against abcdef012345: 1 breaking (1 used by listed client versions)');
    expect(text).toContain('used by MobileHome of mobile 1.0 (schema/clients/mobile/1.0/home.graphql:12)');
    expect(text).toContain('schema/clients/mobile/1.0/home.graphql:12:7  mobile 1.0 MobileHome: Cannot query field');
  });

  it('github: escapes newlines and percent signs the way the runner expects', () => {
    const odd: CheckResult = {
      ...result,
      changes: [],
      operations: { ...result.operations, invalid: [{ file: 'a,b.graphql', line: 1, column: 1, message: '100%\nsure', operations: [] }] },
    };
    expect(renderGithub(odd)).toContain('::error file=a%2Cb.graphql,line=1,col=1,title=Invalid operation document::100%25%0Asure');
  });

  it('json: the result plus a version and the exit code', () => {
    const doc = JSON.parse(renderJson(result)) as Record<string, unknown>;
    expect(doc).toMatchObject({ version: 1, exitCode: 1, outcome: 'operations-failed', durationMs: 123 });
    expect(doc.changes).toHaveLength(3);
  });

  it('text: names the operation and where it uses the change', () => {
    const text = renderText(result);
    expect(text).toContain('used by UserProfile (bffs/web/operations/user-profile.graphql:6)');
    expect(text).toContain('2 breaking (1 used by known operations), 0 dangerous, 1 safe');
    expect(text).toContain('against base origin/main (0123456789ab)');
  });

  it('text: tells the user how to fix drift', () => {
    const drifted: CheckResult = { ...result, outcome: 'drift', drift: { ok: false, file: 'schema/supergraph.graphql', reason: 'different', line: 12 } };
    expect(renderText(drifted)).toContain('run `npm run schema:compose` and commit it');
  });
});
