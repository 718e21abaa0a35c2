import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { operationsFromDocuments, type DocumentProblem, type DocumentSource } from '../../gateway/clients/documents.ts';
import { buildManifest, printManifest, readManifest, type PersistedQueryManifest } from '../../gateway/clients/manifest.ts';
import { CLIENT_FILE, DEFAULT_REGISTRY_DIR, findClient, findVersion, loadClientRegistry, parseDoor } from '../../gateway/clients/registry.ts';

/**
 * `npm run clients -- <command>`: the client registry (schema/clients/, see its README.md)
 * and the `apollo-persisted-query-manifest` format. Reads the registry with the same module
 * the gateway and `schema:check` use; this CLI is the only part that writes.
 */
const USAGE = `Usage: npm run clients -- <command> [options]

Commands:
  list                                   every client, its door and its versions
  manifest <file|dir>...                 a manifest from .graphql documents (ids: SHA-256 of each body)
  export <client> <version>              a registered version's operations as a manifest
  import <manifest.json> --client <name> --version <version> [--door <path>] [--force]
                                         register a build's manifest as <registry>/<client>/<version>/

Options:
  --out <file>        write the manifest there instead of stdout (manifest, export)
  --door <path>       /graphql or /bff/<name>/graphql: creates the client's ${CLIENT_FILE} (import)
  --force             replace the version's manifest if it is already registered (import)
  --root <dir>        project root (default: the current directory)
  --registry <dir>    client registry, relative to the root (default: ${DEFAULT_REGISTRY_DIR})
  -h, --help          this text

Exit codes: 0 done, 1 the documents, manifest or registry have problems (printed), 2 could not
run (bad arguments, unreadable files).
`;

const EXIT = { ok: 0, problems: 1, usage: 2 } as const;

class UsageError extends Error {}

interface Cli {
  readonly command: string | undefined;
  readonly args: readonly string[];
  readonly root: string;
  readonly registry: string;
  readonly out?: string;
  readonly client?: string;
  readonly version?: string;
  readonly door?: string;
  readonly force: boolean;
  readonly help: boolean;
}

function parseCli(argv: readonly string[]): Cli {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        out: { type: 'string' },
        client: { type: 'string' },
        version: { type: 'string' },
        door: { type: 'string' },
        force: { type: 'boolean', default: false },
        root: { type: 'string' },
        registry: { type: 'string', default: DEFAULT_REGISTRY_DIR },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  return {
    command,
    args,
    root: resolve(values.root ?? '.'),
    registry: values.registry,
    ...(values.out !== undefined ? { out: resolve(values.out) } : {}),
    ...(values.client !== undefined ? { client: values.client } : {}),
    ...(values.version !== undefined ? { version: values.version } : {}),
    ...(values.door !== undefined ? { door: values.door } : {}),
    force: values.force,
    help: values.help,
  };
}

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help || cli.command === undefined) {
    process.stdout.write(USAGE);
    return cli.help ? EXIT.ok : EXIT.usage;
  }
  switch (cli.command) {
    case 'list':
      return list(cli);
    case 'manifest':
      return manifestFromDocuments(cli);
    case 'export':
      return exportVersion(cli);
    case 'import':
      return importManifest(cli);
    default:
      throw new UsageError(`unknown command "${cli.command}": expected list, manifest, export or import`);
  }
}

async function list(cli: Cli): Promise<number> {
  const registry = await loadClientRegistry({ root: cli.root, dir: cli.registry });
  for (const client of registry.clients) {
    process.stdout.write(`${client.name}  ${client.door.path}${client.description ? `  (${client.description})` : ''}\n`);
    for (const v of client.versions) process.stdout.write(`  ${v.version}  ${v.operations.length} operation(s)  ${v.dir}\n`);
  }
  if (registry.clients.length === 0) process.stdout.write(`no clients in ${registry.dir}\n`);
  return report(registry.problems);
}

async function manifestFromDocuments(cli: Cli): Promise<number> {
  if (cli.args.length === 0) throw new UsageError('manifest: name the .graphql files or folders to read');
  const sources: DocumentSource[] = [];
  for (const arg of cli.args) {
    for (const file of await graphqlFiles(resolve(arg))) {
      sources.push({ file: posix(relative(process.cwd(), file)), text: await readFile(file, 'utf8') });
    }
  }
  if (sources.length === 0) throw new UsageError(`manifest: no .graphql or .gql file in ${cli.args.join(', ')}`);
  const { operations, problems } = operationsFromDocuments(sources);
  if (problems.length > 0) return report(problems);
  return emit(buildManifest(operations), cli.out);
}

async function exportVersion(cli: Cli): Promise<number> {
  const [clientName, versionName, ...rest] = cli.args;
  if (clientName === undefined || versionName === undefined || rest.length > 0) throw new UsageError('export: expected <client> <version>');
  const registry = await loadClientRegistry({ root: cli.root, dir: cli.registry });
  const mine = registry.problems.filter((p) => p.client === clientName && (p.version === undefined || p.version === versionName));
  if (mine.length > 0) return report(mine);
  const client = findClient(registry, clientName);
  if (!client) throw new UsageError(`export: no client "${clientName}" in ${registry.dir} (${registry.clients.map((c) => c.name).join(', ') || 'none'})`);
  const version = findVersion(client, versionName);
  if (!version) throw new UsageError(`export: ${clientName} has no version "${versionName}" (${client.versions.map((v) => v.version).join(', ') || 'none'})`);
  return emit(buildManifest(version.operations), cli.out);
}

async function importManifest(cli: Cli): Promise<number> {
  const [source, ...rest] = cli.args;
  if (source === undefined || rest.length > 0) throw new UsageError('import: expected one manifest file');
  if (cli.client === undefined || cli.version === undefined) throw new UsageError('import: --client and --version are required');
  const text = await readFile(resolve(source), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`import: cannot read ${source} (${error.code ?? String(error)})`);
  });
  const { operations, problems } = readManifest(text, posix(relative(process.cwd(), resolve(source))));
  if (problems.length > 0) return report(problems);

  const clientDir = join(cli.root, cli.registry, cli.client);
  const clientFile = join(clientDir, CLIENT_FILE);
  const hasClient = await exists(clientFile);
  if (!hasClient) {
    if (cli.door === undefined) throw new UsageError(`import: ${cli.client} is a new client: give its --door (/graphql or /bff/<name>/graphql)`);
    if (!parseDoor(cli.door)) throw new UsageError(`import: --door ${cli.door}: expected /graphql or /bff/<name>/graphql`);
  } else if (cli.door !== undefined) {
    throw new UsageError(`import: ${cli.client} already has a ${CLIENT_FILE}; edit its door there`);
  }
  const target = join(clientDir, cli.version, 'persisted-query-manifest.json');
  if ((await exists(target)) && !cli.force) {
    throw new UsageError(`import: ${posix(relative(cli.root, target))} exists: a new build is a new version (or pass --force to replace it)`);
  }

  await mkdir(dirname(target), { recursive: true });
  if (!hasClient && cli.door !== undefined) await writeFile(clientFile, `door: ${cli.door}\n`);
  await writeAtomically(target, printManifest(buildManifest(operations)));

  // Read back through the registry: what was written is what the gateway and the check see.
  const registry = await loadClientRegistry({ root: cli.root, dir: cli.registry });
  const written = registry.problems.filter((p) => p.client === cli.client);
  if (written.length > 0) return report(written);
  process.stdout.write(`registered ${operations.length} operation(s) as ${cli.client} ${cli.version} → ${posix(relative(cli.root, target))}\n`);
  return EXIT.ok;
}

async function emit(manifest: PersistedQueryManifest, out: string | undefined): Promise<number> {
  const text = printManifest(manifest);
  if (out === undefined) {
    process.stdout.write(text);
  } else {
    await mkdir(dirname(out), { recursive: true });
    await writeAtomically(out, text);
    process.stderr.write(`wrote ${manifest.operations.length} operation(s) to ${posix(relative(process.cwd(), out))}\n`);
  }
  return EXIT.ok;
}

function report(problems: readonly DocumentProblem[]): number {
  for (const p of problems) process.stderr.write(`${p.file}:${p.line}:${p.column}  ${p.message}\n`);
  return problems.length > 0 ? EXIT.problems : EXIT.ok;
}

async function graphqlFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => {
    throw new UsageError(`cannot read ${path}`);
  });
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && (e.name.endsWith('.graphql') || e.name.endsWith('.gql')))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Via a rename, so a reader (a running check, an editor) never sees half a manifest. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

function posix(path: string): string {
  return path.split(sep).join('/');
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`clients: ${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    // Could not run: never the exit code of "found problems", which a caller may act on.
    process.stderr.write(`clients crashed: ${String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = EXIT.usage;
  },
);
