import { createHash } from 'node:crypto';
import {
  GraphQLError,
  Kind,
  Source,
  parse,
  print,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type OperationTypeNode,
} from 'graphql';

/** `query`, `mutation` or `subscription`: the manifest's `type`. */
export type OperationType = `${OperationTypeNode}`;

/**
 * A document's id: the SHA-256 of its text, lower-case hex. The same value Apollo Client's
 * persisted-query link sends as `extensions.persistedQuery.sha256Hash` and the GraphQL
 * over HTTP persisted-documents appendix calls a `sha256:` document id (without the prefix).
 */
export function documentId(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/**
 * The text a client sends for `operation`: the operation first, then the fragments it
 * spreads sorted by name, printed by graphql-js. Apollo's `sortTopLevelDefinitions` + `print`
 * (what `@apollo/generate-persisted-query-manifest` and `generatePersistedQueryIdsAtRuntime`
 * hash), so ids built here match ids those tools build for the same document.
 */
export function operationBody(operation: OperationDefinitionNode, fragments: readonly FragmentDefinitionNode[]): string {
  return print(operationDocument(operation, fragments));
}

/** The operation and its fragments (sorted by name) as one document, nodes kept as they are. */
export function operationDocument(operation: OperationDefinitionNode, fragments: readonly FragmentDefinitionNode[]): DocumentNode {
  const sorted = [...fragments].sort((a, b) => (a.name.value < b.name.value ? -1 : a.name.value > b.name.value ? 1 : 0));
  return { kind: Kind.DOCUMENT, definitions: [operation, ...sorted] };
}

/**
 * Fragments spread by `root`, transitively. Unknown names are left for validation to
 * report, unless `onUnknown` is given (the BFF kit refuses them at start-up).
 */
export function fragmentsNeeded(
  root: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  onUnknown?: (name: string) => void,
): FragmentDefinitionNode[] {
  const needed = new Map<string, FragmentDefinitionNode>();
  const pending: Array<OperationDefinitionNode | FragmentDefinitionNode> = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (!fragment) onUnknown?.(name);
        if (!fragment || needed.has(name)) return;
        needed.set(name, fragment);
        pending.push(fragment);
      },
    });
  }
  return [...needed.values()];
}

/** Where something is wrong in a document or manifest: 1-based, as editors count. */
export interface DocumentProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** The operations concerned, by name (none for a file that does not parse). */
  readonly operations: readonly string[];
}

/** One operation of a set of `.graphql` documents, ready to register. */
export interface DocumentOperation {
  /** SHA-256 of `body`. */
  readonly id: string;
  readonly name: string;
  readonly type: OperationType;
  /** See operationBody. */
  readonly body: string;
  /** The operation and the fragments it spreads, with their source locations. */
  readonly document: DocumentNode;
  readonly file: string;
  readonly line: number;
}

export interface DocumentSource {
  readonly text: string;
  /** The name errors and locations carry: a path relative to the registry's root. */
  readonly file: string;
}

/**
 * The operations of a set of documents that share fragments (one client version, or the
 * files given to `npm run clients -- manifest`). Each operation must be named (the name is
 * the manifest's `name`); names, and fragment names, are unique within the set.
 */
export function operationsFromDocuments(sources: readonly DocumentSource[]): { operations: DocumentOperation[]; problems: DocumentProblem[] } {
  const problems: DocumentProblem[] = [];
  const documents: DocumentNode[] = [];
  for (const source of sources) {
    try {
      documents.push(parse(new Source(source.text, source.file)));
    } catch (error) {
      problems.push(problemOf(error, source.file, []));
    }
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: DocumentOperation[] = [];
  const names = new Map<string, string>();
  for (const document of documents) {
    for (const def of document.definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) {
        const existing = fragments.get(def.name.value);
        if (existing) problems.push(at(def, `fragment "${def.name.value}" is also defined at ${where(existing)}`, []));
        else fragments.set(def.name.value, def);
      } else if (def.kind !== Kind.OPERATION_DEFINITION) {
        problems.push(at(def, `a client document holds operations and fragments only, not ${def.kind}`, []));
      }
    }
  }
  for (const document of documents) {
    for (const def of document.definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION) continue;
      const name = def.name?.value;
      if (!name) {
        problems.push(at(def, 'a registered operation needs a name: it is the operation\'s name in the manifest and in reports', []));
        continue;
      }
      const seen = names.get(name);
      if (seen) {
        problems.push(at(def, `operation "${name}" is also defined at ${seen}`, [name]));
        continue;
      }
      names.set(name, where(def));
      const needed = fragmentsNeeded(def, fragments);
      const body = operationBody(def, needed);
      operations.push({
        id: documentId(body),
        name,
        type: def.operation,
        body,
        document: operationDocument(def, needed),
        file: def.loc?.source.name ?? '',
        line: def.loc?.startToken.line ?? 1,
      });
    }
  }
  return { operations, problems };
}

export function problemOf(error: unknown, file: string, operations: readonly string[]): DocumentProblem {
  if (!(error instanceof GraphQLError)) return { file, line: 1, column: 1, message: String(error), operations };
  const location = error.locations?.[0];
  return { file: error.source?.name ?? file, line: location?.line ?? 1, column: location?.column ?? 1, message: error.message, operations };
}

function at(node: DefinitionNode, message: string, operations: readonly string[]): DocumentProblem {
  return {
    file: node.loc?.source.name ?? '',
    line: node.loc?.startToken.line ?? 1,
    column: node.loc?.startToken.column ?? 1,
    message,
    operations,
  };
}

function where(node: OperationDefinitionNode | FragmentDefinitionNode): string {
  return node.loc ? `${node.loc.source.name}:${node.loc.startToken.line}` : 'elsewhere';
}
