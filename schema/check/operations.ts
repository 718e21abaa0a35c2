import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GraphQLError,
  Kind,
  Source,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
} from 'graphql';
import { fragmentsNeeded, type OperationType } from '../../gateway/clients/documents.ts';
import { rootRelative } from './paths.ts';

/*
 * The BFFs' own supergraph operations live in `bffs/<client>/operations/**`; the registered
 * client operations in the client registry (`schema/clients/`, client-operations.ts turns
 * them into KnownOperations). Each folder is one scope: fragments resolve within it, so
 * two clients may both have a `UserFields` fragment.
 */
const EXTENSIONS = ['.graphql', '.gql'];

/** A registered client version: what reports name besides the operation. */
export interface ClientVersionRef {
  readonly name: string;
  readonly version: string;
}

/** One operation as a client sends it: itself plus every fragment it spreads, transitively. */
export interface KnownOperation {
  /** `(anonymous)` when the document does not name it. */
  readonly name: string;
  readonly type: OperationType;
  /** Relative to the root, with `/` separators. */
  readonly file: string;
  readonly line: number;
  readonly document: DocumentNode;
  /** The registered client version sending it; absent for a BFF's own supergraph operations. */
  readonly client?: ClientVersionRef;
  /**
   * Set for an operation read from a persisted query manifest: lines inside its body are
   * not lines of the file, so every finding in it points at this line (its entry's body).
   */
  readonly pinnedLine?: number;
}

/** An operation that does not parse, does not resolve or does not validate. */
export interface OperationProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** The operations concerned (several when the problem is in a shared fragment). */
  readonly operations: readonly string[];
  readonly client?: ClientVersionRef;
}

/** Where a finding in `operation` at `file:line` is reported (manifest bodies are pinned to their entry). */
export function siteIn(operation: KnownOperation, file: string, line: number): { file: string; line: number } {
  return operation.pinnedLine !== undefined ? { file: operation.file, line: operation.pinnedLine } : { file, line };
}

export interface OperationSet {
  readonly files: readonly string[];
  readonly operations: readonly KnownOperation[];
  /** Parse errors and duplicate fragment names: found before any schema is involved. */
  readonly problems: readonly OperationProblem[];
}

/** The BFFs' supergraph operations: `bffs/<client>/operations/**` (one fragment scope per BFF). */
export async function loadOperations(root: string): Promise<OperationSet> {
  const scopes = await discoverScopes(root);
  const files: string[] = [];
  const operations: KnownOperation[] = [];
  const problems: OperationProblem[] = [];
  for (const scope of scopes) {
    const documents: DocumentNode[] = [];
    for (const file of scope) {
      files.push(file);
      const text = await readFile(join(root, file), 'utf8');
      try {
        documents.push(parse(new Source(text, file)));
      } catch (error) {
        problems.push(problemFrom(error, file, []));
      }
    }
    const fragments = collectFragments(documents, problems);
    for (const document of documents) {
      for (const def of document.definitions) {
        if (def.kind !== Kind.OPERATION_DEFINITION) continue;
        operations.push({
          name: def.name?.value ?? '(anonymous)',
          type: def.operation,
          file: def.loc?.source.name ?? '',
          line: def.loc?.startToken.line ?? 1,
          document: { kind: Kind.DOCUMENT, definitions: [def, ...fragmentsNeeded(def, fragments)] },
        });
      }
    }
  }
  return { files, operations, problems };
}

/** Validates every operation against `schema`; one problem per distinct error location. */
export function validateOperations(schema: GraphQLSchema, operations: readonly KnownOperation[]): OperationProblem[] {
  const byWhere = new Map<string, { problem: OperationProblem; operations: string[] }>();
  for (const op of operations) {
    for (const error of validate(schema, op.document)) {
      const found = problemFrom(error, op.file, []);
      const site = siteIn(op, found.file, found.line);
      const problem: OperationProblem = {
        ...found,
        ...site,
        ...(op.pinnedLine !== undefined ? { column: 1 } : {}),
        ...(op.client ? { client: op.client } : {}),
      };
      const client = op.client ? `${op.client.name}@${op.client.version}` : '';
      const where = `${client}:${problem.file}:${problem.line}:${problem.column}:${problem.message}`;
      const entry = byWhere.get(where) ?? { problem, operations: [] };
      entry.operations.push(op.name);
      byWhere.set(where, entry);
    }
  }
  return [...byWhere.values()].map(({ problem, operations: ops }) => ({ ...problem, operations: ops }));
}

function problemFrom(error: unknown, fallbackFile: string, operations: string[]): OperationProblem {
  if (!(error instanceof GraphQLError)) {
    return { file: fallbackFile, line: 1, column: 1, message: String(error), operations };
  }
  // Validation errors point at nodes, which may sit in a fragment from another file.
  const node = error.nodes?.[0];
  const file = node?.loc?.source.name ?? error.source?.name ?? fallbackFile;
  const location = error.locations?.[0];
  return { file, line: location?.line ?? 1, column: location?.column ?? 1, message: error.message, operations };
}

function collectFragments(documents: readonly DocumentNode[], problems: OperationProblem[]): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const document of documents) {
    for (const def of document.definitions) {
      if (def.kind !== Kind.FRAGMENT_DEFINITION) continue;
      const existing = fragments.get(def.name.value);
      if (existing) {
        const at = existing.loc ? `${existing.loc.source.name}:${existing.loc.startToken.line}` : 'elsewhere';
        problems.push({
          file: def.loc?.source.name ?? '',
          line: def.loc?.startToken.line ?? 1,
          column: def.loc?.startToken.column ?? 1,
          message: `fragment "${def.name.value}" is also defined at ${at}`,
          operations: [],
        });
        continue;
      }
      fragments.set(def.name.value, def);
    }
  }
  return fragments;
}

/** The operation files of each scope, sorted, as root-relative `/` paths. */
async function discoverScopes(root: string): Promise<string[][]> {
  const clients = await listDirectories(join(root, 'bffs'));
  const folders = clients.map((client) => `bffs/${client}/operations`);
  const scopes: string[][] = [];
  for (const folder of folders) {
    const files = await listGraphqlFiles(join(root, folder));
    if (files.length > 0) scopes.push(files.map((f) => rootRelative(root, f)).sort());
  }
  return scopes;
}

async function listDirectories(path: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

async function listGraphqlFiles(folder: string): Promise<string[]> {
  try {
    const entries = await readdir(folder, { withFileTypes: true, recursive: true });
    return entries
      .filter((e) => e.isFile() && EXTENSIONS.some((ext) => e.name.endsWith(ext)))
      .map((e) => join(e.parentPath, e.name));
  } catch {
    return []; // a missing folder just has no operations
  }
}
