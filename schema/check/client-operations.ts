import type { ClientRegistry, RegisteredClient } from '../../gateway/clients/registry.ts';
import type { KnownOperation, OperationProblem } from './operations.ts';

/** The registry's operations, sorted by the schema each is checked against. */
export interface ClientOperations {
  /** Clients of `/graphql`: checked against the supergraph's API schema. */
  readonly supergraph: ClientOperationSet;
  /** Clients of `/bff/<name>/graphql`, by BFF name: checked against that BFF's schema. */
  readonly byBff: ReadonlyMap<string, ClientOperationSet>;
  /** The registry's own problems (client.yaml, manifests, duplicate names), found before any schema. */
  readonly problems: readonly OperationProblem[];
}

export interface ClientOperationSet {
  readonly files: readonly string[];
  readonly operations: readonly KnownOperation[];
  /** `mobile 1.0`, … : the versions whose operations are in the set. */
  readonly versions: readonly string[];
}

const EMPTY: ClientOperationSet = { files: [], operations: [], versions: [] };

export function clientOperations(registry: ClientRegistry): ClientOperations {
  const supergraph = collector();
  const byBff = new Map<string, ReturnType<typeof collector>>();
  for (const client of registry.clients) {
    if (client.door.kind === 'supergraph') {
      supergraph.add(client);
      continue;
    }
    const forBff = byBff.get(client.door.bff) ?? collector();
    byBff.set(client.door.bff, forBff);
    forBff.add(client);
  }
  const problems: OperationProblem[] = registry.problems.map((p) => ({
    file: p.file,
    line: p.line,
    column: p.column,
    message: p.message,
    operations: p.operations,
    ...(p.client !== undefined && p.version !== undefined ? { client: { name: p.client, version: p.version } } : {}),
  }));
  return {
    supergraph: supergraph.set(),
    byBff: new Map([...byBff].map(([bff, c]) => [bff, c.set()])),
    problems,
  };
}

export function operationsForBff(ops: ClientOperations, bff: string): ClientOperationSet {
  return ops.byBff.get(bff) ?? EMPTY;
}

function collector(): { add(client: RegisteredClient): void; set(): ClientOperationSet } {
  const files: string[] = [];
  const operations: KnownOperation[] = [];
  const versions: string[] = [];
  return {
    add(client) {
      for (const v of client.versions) {
        versions.push(`${client.name} ${v.version}`);
        files.push(...v.files);
        for (const op of v.operations) {
          operations.push({
            name: op.name,
            type: op.type,
            file: op.file,
            line: op.line,
            document: op.document,
            client: { name: client.name, version: v.version },
            ...(op.origin === 'manifest' ? { pinnedLine: op.line } : {}),
          });
        }
      }
    },
    set: () => ({ files, operations, versions }),
  };
}
