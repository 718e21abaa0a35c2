import type { GraphQLSchema } from 'graphql';
import type { SchemaChange } from './diff/change-kinds.ts';
import { siteIn, type KnownOperation } from './operations.ts';
import type { AssessedChange, OperationUse, Severity, SourceLocation } from './result.ts';
import type { SubgraphIndex } from './subgraph-index.ts';
import { collectUsage, type UsageSite } from './usage.ts';

export interface OperationUsage {
  readonly operation: KnownOperation;
  readonly used: ReadonlyMap<string, UsageSite>;
}

/**
 * What each operation uses, against both schemas: removed elements only resolve in the
 * base, added ones only in the new schema.
 */
export function usageOf(operations: readonly KnownOperation[], schemas: readonly GraphQLSchema[]): OperationUsage[] {
  return operations.map((operation) => {
    const used = new Map<string, UsageSite>();
    for (const schema of schemas) {
      for (const [key, site] of collectUsage(schema, operation.document)) if (!used.has(key)) used.set(key, site);
    }
    return { operation, used };
  });
}

/**
 * Gives each change its severity, its subgraphs and the operations it affects. Owners are
 * looked up in the new subgraphs first (where the element lives now), then in the base
 * ones (where a removed element lived). A removed element has no line in the working
 * tree; it is located at its subgraph's current file (`fileOf`), where the fix would go.
 */
export function assessChanges(
  changes: readonly SchemaChange[],
  usage: readonly OperationUsage[],
  newIndex: SubgraphIndex,
  baseIndex: SubgraphIndex,
  fileOf: ReadonlyMap<string, string>,
): AssessedChange[] {
  return changes.map((c) => {
    const inNew = newIndex.lookup(c.sourceKey);
    const owners = inNew.length > 0 ? inNew : baseIndex.lookup(c.sourceKey);
    const usedBy = usesOf(c, usage);
    const withLine = owners.find((o) => o.line !== undefined);
    const file = withLine?.file ?? owners.map((o) => fileOf.get(o.subgraph)).find((f) => f !== undefined);
    const location: SourceLocation | undefined = file
      ? { file, ...(withLine?.line !== undefined ? { line: withLine.line } : {}) }
      : undefined;
    return {
      ...c,
      severity: severityOf(c, usedBy.length > 0),
      subgraphs: owners.map((o) => o.subgraph),
      ...(location ? { location } : {}),
      usedBy,
    };
  });
}

function usesOf(c: SchemaChange, usage: readonly OperationUsage[]): OperationUse[] {
  const uses: OperationUse[] = [];
  for (const { operation, used } of usage) {
    for (const key of c.usageKeys) {
      const site = used.get(key);
      if (!site) continue;
      uses.push({ operation: operation.name, ...siteIn(operation, site.file, site.line), ...(operation.client ? { client: operation.client } : {}) });
      break; // one use per operation is enough to name it
    }
  }
  return uses;
}

export function severityOf(c: SchemaChange, used: boolean): Severity {
  switch (c.criticality) {
    case 'breaking':
      return used ? 'error' : 'warning';
    case 'dangerous':
      return used ? 'warning' : 'notice';
    case 'safe':
      return 'info';
  }
}
