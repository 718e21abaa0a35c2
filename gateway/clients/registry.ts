import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { DocumentNode } from 'graphql';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { operationsFromDocuments, type DocumentProblem, type DocumentSource, type OperationType } from './documents.ts';
import { readManifest } from './manifest.ts';

/**
 * The client registry: every client of the gateway, every version of it still in the
 * field, and the operations (trusted documents) each version sends. It lives in the
 * repository (`schema/clients/`, layout in its README.md):
 *
 *   <dir>/<client>/client.yaml            door: /bff/mobile/graphql (or /graphql), description
 *   <dir>/<client>/<version>/*.graphql    operations and fragments (fragments shared within the version)
 *   <dir>/<client>/<version>/*.json       apollo-persisted-query-manifest files
 *
 * A version is listed while its folder exists: deleting the folder retires it, which is
 * what lets `schema:check` accept a change that breaks it. This module only reads: no
 * caches, no globals, nothing written; the gateway can load it at start-up and the schema
 * check in CI, and both see the same registry.
 */

export const DEFAULT_REGISTRY_DIR = 'schema/clients';
export const CLIENT_FILE = 'client.yaml';

/** Where a client's operations go: the supergraph door, or one BFF's door. */
export type ClientDoor =
  | { readonly kind: 'supergraph'; readonly path: '/graphql' }
  | { readonly kind: 'bff'; readonly bff: string; readonly path: string };

export interface RegisteredOperation {
  /** SHA-256 (hex) of `body`: the persisted-query / document id. */
  readonly id: string;
  readonly name: string;
  readonly type: OperationType;
  /** The exact text registered (see documents.ts `operationBody` for `.graphql` sources). */
  readonly body: string;
  /** The operation and its fragments, with source locations in `file`. */
  readonly document: DocumentNode;
  /** Relative to the root given to loadClientRegistry, `/`-separated. */
  readonly file: string;
  /** The operation's first line; for a manifest, the line of its entry's body. */
  readonly line: number;
  /** Lines inside a manifest's body are not lines of the file: reports point at `line`. */
  readonly origin: 'document' | 'manifest';
}

export interface ClientVersion {
  readonly version: string;
  /** The version's folder, relative to the root. */
  readonly dir: string;
  readonly files: readonly string[];
  readonly operations: readonly RegisteredOperation[];
}

export interface RegisteredClient {
  /** The folder name: what clients send as `apollographql-client-name`. */
  readonly name: string;
  readonly door: ClientDoor;
  readonly description?: string;
  /** Its client.yaml, relative to the root. */
  readonly file: string;
  /** Sorted by version, numerically where the names are numbers (1.9 before 1.10). */
  readonly versions: readonly ClientVersion[];
}

export interface RegistryProblem extends DocumentProblem {
  readonly client?: string;
  readonly version?: string;
}

export interface ClientRegistry {
  /** The registry folder, relative to the root. */
  readonly dir: string;
  readonly clients: readonly RegisteredClient[];
  /** What is wrong in it; the entries concerned are left out of `clients`. */
  readonly problems: readonly RegistryProblem[];
}

export interface LoadRegistryOptions {
  /** Paths in the registry (files, problems) are relative to it. */
  readonly root: string;
  /** Relative to root. Default `schema/clients`; a missing folder is an empty registry. */
  readonly dir?: string;
  /** The BFFs that exist: a client whose door names another one is a problem. Unchecked when absent. */
  readonly bffs?: readonly string[];
}

const CLIENT_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const VERSION_NAME = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;
const BFF_DOOR = /^\/bff\/([a-z][a-z0-9-]*)\/graphql$/;
const DOCUMENT_EXTENSIONS = ['.graphql', '.gql'];

const clientFileSchema = z.strictObject({
  /** `/graphql`, or `/bff/<name>/graphql`. */
  door: z.string(),
  description: z.string().optional(),
});

export async function loadClientRegistry(options: LoadRegistryOptions): Promise<ClientRegistry> {
  const dir = options.dir ?? DEFAULT_REGISTRY_DIR;
  const problems: RegistryProblem[] = [];
  const clients: RegisteredClient[] = [];
  for (const name of await subfolders(join(options.root, dir))) {
    const client = await loadClient(options, join(dir, name), name, problems);
    if (client) clients.push(client);
  }
  return Object.freeze({ dir: toPosix(dir), clients: Object.freeze(clients), problems: Object.freeze(problems) });
}

/** `/graphql` or `/bff/<name>/graphql`; undefined for anything else. */
export function parseDoor(path: string): ClientDoor | undefined {
  if (path === '/graphql') return { kind: 'supergraph', path };
  const bff = BFF_DOOR.exec(path)?.[1];
  return bff !== undefined ? { kind: 'bff', bff, path } : undefined;
}

export function findClient(registry: ClientRegistry, name: string): RegisteredClient | undefined {
  return registry.clients.find((c) => c.name === name);
}

export function findVersion(client: RegisteredClient, version: string): ClientVersion | undefined {
  return client.versions.find((v) => v.version === version);
}

/** The clients whose operations go to `door` (`/graphql`, `/bff/mobile/graphql`). */
export function clientsOfDoor(registry: ClientRegistry, door: string): RegisteredClient[] {
  return registry.clients.filter((c) => c.door.path === door);
}

/** Numeric-aware: 1.9 < 1.10 < 2.0; what a reader expects of a version list. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

async function loadClient(options: LoadRegistryOptions, folder: string, name: string, problems: RegistryProblem[]): Promise<RegisteredClient | undefined> {
  const file = toPosix(join(folder, CLIENT_FILE));
  const report = (message: string, line = 1): void => {
    problems.push({ file, line, column: 1, message, operations: [], client: name });
  };
  if (!CLIENT_NAME.test(name)) {
    report(`client folder "${name}": a client name is lower-case letters, digits and dashes, starting with a letter`);
    return undefined;
  }
  let text: string;
  try {
    text = await readFile(join(options.root, file), 'utf8');
  } catch {
    report(`client ${name} has no ${CLIENT_FILE} (door and description)`);
    return undefined;
  }
  const lines = new LineCounter();
  const yaml = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const firstError = yaml.errors[0];
  if (firstError) {
    report(`${CLIENT_FILE} is not YAML: ${firstError.message}`, firstError.linePos?.[0]?.line ?? 1);
    return undefined;
  }
  const lineOf = (key: string): number => {
    const node = yaml.get(key, true);
    const offset = node && typeof node === 'object' && 'range' in node && Array.isArray(node.range) ? node.range[0] : undefined;
    return typeof offset === 'number' ? lines.linePos(offset).line : 1;
  };
  const parsed = clientFileSchema.safeParse(yaml.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.map(String).join('.');
      report(`${CLIENT_FILE}: ${key || '(root)'}: ${issue.message}`, key ? lineOf(String(issue.path[0])) : 1);
    }
    return undefined;
  }
  const door = parseDoor(parsed.data.door);
  if (!door) {
    report(`${CLIENT_FILE}: door "${parsed.data.door}": expected /graphql or /bff/<name>/graphql`, lineOf('door'));
    return undefined;
  }
  if (door.kind === 'bff' && options.bffs && !options.bffs.includes(door.bff)) {
    report(`${CLIENT_FILE}: door ${door.path}: there is no BFF "${door.bff}" (known: ${options.bffs.join(', ') || 'none'})`, lineOf('door'));
    return undefined;
  }

  const versions: ClientVersion[] = [];
  const names = (await subfolders(join(options.root, folder))).sort(compareVersions);
  for (const version of names) {
    const loaded = await loadVersion(options.root, join(folder, version), name, version, problems);
    if (loaded) versions.push(loaded);
  }
  return Object.freeze({
    name,
    door: Object.freeze(door),
    ...(parsed.data.description !== undefined ? { description: parsed.data.description } : {}),
    file,
    versions: Object.freeze(versions),
  });
}

async function loadVersion(root: string, folder: string, client: string, version: string, problems: RegistryProblem[]): Promise<ClientVersion | undefined> {
  const dir = toPosix(folder);
  const report = (problem: DocumentProblem): void => {
    problems.push({ ...problem, client, version });
  };
  if (!VERSION_NAME.test(version)) {
    report({ file: dir, line: 1, column: 1, message: `version folder "${version}": letters, digits, ".", "_", "+" and "-", starting with a letter or digit`, operations: [] });
    return undefined;
  }
  const files = (await filesUnder(join(root, folder))).map((f) => toPosix(relative(root, f))).sort();
  const documents: DocumentSource[] = [];
  const operations: RegisteredOperation[] = [];
  for (const file of files) {
    if (DOCUMENT_EXTENSIONS.some((ext) => file.endsWith(ext))) {
      documents.push({ file, text: await readFile(join(root, file), 'utf8') });
    } else if (file.endsWith('.json')) {
      const manifest = readManifest(await readFile(join(root, file), 'utf8'), file);
      manifest.problems.forEach(report);
      for (const { id, name, type, body, document, line } of manifest.operations) operations.push({ id, name, type, body, document, file, line, origin: 'manifest' });
    } else if (!file.endsWith('.md') && !basename(file).startsWith('.')) {
      report({ file, line: 1, column: 1, message: 'not a client document (.graphql, .gql) nor a persisted query manifest (.json)', operations: [] });
    }
  }
  const fromDocuments = operationsFromDocuments(documents);
  fromDocuments.problems.forEach(report);
  for (const op of fromDocuments.operations) operations.push({ ...op, origin: 'document' });

  // Names and ids identify an operation within a version (reports, safelist lookups).
  operations.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const unique: RegisteredOperation[] = [];
  const byName = new Map<string, RegisteredOperation>();
  const byId = new Map<string, RegisteredOperation>();
  for (const op of operations) {
    const clash = byName.get(op.name) ?? byId.get(op.id);
    if (clash) {
      const what = clash.name === op.name ? `operation "${op.name}" is also registered` : `operation "${op.name}" has the same body (id) as "${clash.name}"`;
      report({ file: op.file, line: op.line, column: 1, message: `${what} at ${clash.file}:${clash.line}`, operations: [op.name] });
      continue;
    }
    byName.set(op.name, op);
    byId.set(op.id, op);
    unique.push(op);
  }
  if (!files.some((f) => f.endsWith('.json') || DOCUMENT_EXTENSIONS.some((ext) => f.endsWith(ext)))) {
    report({ file: dir, line: 1, column: 1, message: `version ${version} of ${client} registers no operations: add its documents, or delete the folder to retire it`, operations: [] });
    return undefined;
  }
  return Object.freeze({ version, dir, files: Object.freeze(files), operations: Object.freeze(unique) });
}

async function subfolders(path: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return []; // a missing folder registers nothing
  }
}

async function filesUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
