import type { ClientVersionRef } from '../operations.ts';
import type { AssessedChange, BaseReport, BffBaseReport, CheckOutcome, OperationUse, SourceLocation } from '../result.ts';

/** Phrases every report format shares, so text, JSON and GitHub output say the same thing. */

export const outcomeText: Record<CheckOutcome, string> = {
  passed: 'passed',
  'operations-failed': 'failed: a known operation is invalid or uses a breaking change',
  drift: 'failed: the committed supergraph is not the fresh composition (run `npm run schema:compose` and commit the result)',
  'composition-failed': 'failed: the subgraphs do not compose',
};

/** Which schema a change belongs to: the supergraph (its subgraphs are named) or a BFF. */
export type Contract = { readonly kind: 'supergraph' } | { readonly kind: 'bff'; readonly bff: string };

export const SUPERGRAPH: Contract = { kind: 'supergraph' };

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

export function describeBffBase(base: BffBaseReport): string {
  switch (base.kind) {
    case 'compared':
      return `against ${base.commit.slice(0, 12)}`;
    case 'added':
      return `new (not in ${base.commit.slice(0, 12)})`;
    case 'none':
      return `no base (${base.reason})`;
  }
}

export function at(location: SourceLocation | undefined): string {
  if (!location) return '';
  return location.line !== undefined ? `${location.file}:${location.line}` : location.file;
}

/** `mobile 1.0` */
export function describeClient(client: ClientVersionRef): string {
  return `${client.name} ${client.version}`;
}

/** `MobileHome of mobile 1.0`, or just the name for a BFF's supergraph operation. */
export function describeOperation(name: string, client: ClientVersionRef | undefined): string {
  return client ? `${name} of ${describeClient(client)}` : name;
}

export function describeUse(use: OperationUse): string {
  return `${describeOperation(use.operation, use.client)} (${use.file}:${use.line})`;
}

function owners(c: AssessedChange, contract: Contract): string {
  if (contract.kind === 'bff') return ` [bff ${contract.bff}]`;
  return c.subgraphs.length > 0 ? ` [subgraph ${c.subgraphs.join(', ')}]` : '';
}

/** `field User.email was removed [subgraph users]; used by GetUser (bffs/web/operations/me.graphql:4)` */
export function describeChange(c: AssessedChange, options: { uses: boolean; contract?: Contract } = { uses: true }): string {
  const by = owners(c, options.contract ?? SUPERGRAPH);
  if (!options.uses) return `${c.message}${by}`;
  const none = options.contract?.kind === 'bff' ? '; no listed client version uses it' : '; no known operation uses it';
  const uses = c.usedBy.length > 0 ? `; used by ${c.usedBy.map(describeUse).join(', ')}` : c.criticality === 'breaking' ? none : '';
  return `${c.message}${by}${uses}`;
}
