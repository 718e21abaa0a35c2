import type { AssessedChange, BaseReport, CheckOutcome, OperationUse, SourceLocation } from '../result.ts';

/** Phrases every report format shares, so text, JSON and GitHub output say the same thing. */

export const outcomeText: Record<CheckOutcome, string> = {
  passed: 'passed',
  'operations-failed': 'failed: a known operation is invalid or uses a breaking change',
  drift: 'failed: the committed supergraph is not the fresh composition (run `npm run schema:compose` and commit the result)',
  'composition-failed': 'failed: the subgraphs do not compose',
};

export function describeBase(base: BaseReport): string {
  switch (base.kind) {
    case 'git':
      return `${base.ref} (${base.commit.slice(0, 12)}${base.from === 'committed-supergraph' ? ', its committed supergraph' : ''})`;
    case 'file':
      return base.file;
    case 'none':
      return `none: ${base.reason}`;
  }
}

export function at(location: SourceLocation | undefined): string {
  if (!location) return '';
  return location.line !== undefined ? `${location.file}:${location.line}` : location.file;
}

export function describeUse(use: OperationUse): string {
  return `${use.operation} (${use.file}:${use.line})`;
}

/** `field User.email was removed [subgraph users]; used by GetUser (bffs/web/operations/me.graphql:4)` */
export function describeChange(c: AssessedChange, options: { uses: boolean } = { uses: true }): string {
  const owners = c.subgraphs.length > 0 ? ` [subgraph ${c.subgraphs.join(', ')}]` : '';
  if (!options.uses) return `${c.message}${owners}`;
  const uses = c.usedBy.length > 0 ? `; used by ${c.usedBy.map(describeUse).join(', ')}` : c.criticality === 'breaking' ? '; no known operation uses it' : '';
  return `${c.message}${owners}${uses}`;
}
