import { Kind, Source, parse, type DocumentNode } from 'graphql';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { documentId, problemOf, type DocumentProblem, type OperationType } from './documents.ts';

/**
 * The `apollo-persisted-query-manifest` format (version 1): what
 * `@apollo/generate-persisted-query-manifest`, Apollo iOS/Kotlin and `rover persisted-queries`
 * write, and what Apollo Router's `persisted_queries.local_manifests` reads:
 *
 *   { "format": "apollo-persisted-query-manifest", "version": 1,
 *     "operations": [{ "id": "<sha256 hex of body>", "name": "Op", "type": "query", "body": "query Op { … }" }] }
 */
export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';
export const MANIFEST_VERSION = 1;

export interface ManifestOperation {
  readonly id: string;
  readonly name: string;
  readonly type: OperationType;
  readonly body: string;
}

export interface PersistedQueryManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  readonly operations: readonly ManifestOperation[];
}

/** A manifest's operation as read from a file: parsed, and where its entry is. */
export interface ManifestEntry extends ManifestOperation {
  /** The body parsed with the manifest's file name as its source name. */
  readonly document: DocumentNode;
  readonly file: string;
  /** The line of the entry's `body` in the file. */
  readonly line: number;
}

/**
 * Extra keys are allowed and dropped (Apollo Router's manifests may carry `clientName`; here
 * the client is the registry folder the manifest sits in).
 */
const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(MANIFEST_VERSION),
  operations: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().min(1),
      type: z.enum(['query', 'mutation', 'subscription']),
      body: z.string().min(1),
    }),
  ),
});

/** A manifest of `operations`, ids computed, sorted by name (then id) as Apollo's generator sorts them. */
export function buildManifest(operations: readonly Omit<ManifestOperation, 'id'>[]): PersistedQueryManifest {
  const entries = operations.map(({ name, type, body }) => ({ id: documentId(body), name, type, body }));
  entries.sort((a, b) => compare(a.name, b.name) || compare(a.id, b.id));
  return { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, operations: entries };
}

/** The file's text: two-space JSON with the keys in the format's order, and a final newline. */
export function printManifest(manifest: PersistedQueryManifest): string {
  const operations = manifest.operations.map(({ id, name, type, body }) => ({ id, name, type, body }));
  return `${JSON.stringify({ format: manifest.format, version: manifest.version, operations }, null, 2)}\n`;
}

/**
 * Reads a manifest file. Every entry's id must be the SHA-256 of its body (so a client's
 * APQ hash, its persisted id and the registry's id are one value), and its body must hold
 * exactly one operation, the one its `name` and `type` say. Entries that fail are left out
 * and reported; the rest are returned.
 */
export function readManifest(text: string, file: string): { operations: ManifestEntry[]; problems: DocumentProblem[] } {
  const lines = new LineCounter();
  const located = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (path: readonly (string | number)[]): number => {
    const node = located.getIn(path, true);
    const offset = node && typeof node === 'object' && 'range' in node && Array.isArray(node.range) ? node.range[0] : undefined;
    return typeof offset === 'number' ? lines.linePos(offset).line : 1;
  };
  const problem = (line: number, message: string, operations: readonly string[] = []): DocumentProblem => ({ file, line, column: 1, message, operations });

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const line = located.errors[0]?.linePos?.[0]?.line ?? 1;
    return { operations: [], problems: [problem(line, `not JSON: ${(error as Error).message}`)] };
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 20).map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      return problem(lineOf(path), `not an ${MANIFEST_FORMAT} (version ${MANIFEST_VERSION}): ${path.join('.') || '(root)'}: ${issue.message}`);
    });
    return { operations: [], problems };
  }

  const operations: ManifestEntry[] = [];
  const problems: DocumentProblem[] = [];
  parsed.data.operations.forEach((op, index) => {
    const line = lineOf(['operations', index, 'body']);
    if (op.id !== documentId(op.body)) {
      problems.push(problem(line, `operation "${op.name}": id ${op.id} is not the SHA-256 of its body (${documentId(op.body)})`, [op.name]));
      return;
    }
    let document: DocumentNode;
    try {
      document = parse(new Source(op.body, file));
    } catch (error) {
      problems.push({ ...problemOf(error, file, [op.name]), line, column: 1 });
      return;
    }
    const defined = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const only = defined.length === 1 ? defined[0] : undefined;
    if (!only || only.name?.value !== op.name || only.operation !== op.type) {
      const found = defined.map((d) => `${d.operation} ${d.name?.value ?? '(anonymous)'}`).join(', ') || 'none';
      problems.push(problem(line, `operation "${op.name}": its body must hold exactly the ${op.type} ${op.name} (found: ${found})`, [op.name]));
      return;
    }
    operations.push({ ...op, document, file, line });
  });
  return { operations, problems };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
