import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { DEFAULT_REGISTRY_DIR, loadClientRegistry, type ClientRegistry } from '../../gateway/clients/registry.ts';
import { composeSubgraphs, type CompositionIssue } from '../compose/compose.ts';
import { loadSupergraphConfig, SupergraphConfigError, type SupergraphConfig } from '../compose/load-supergraph-config.ts';
import { apiSchemaOfSupergraph } from './api-schema.ts';
import { assessChanges, usageOf } from './assess.ts';
import { Git } from './base/git.ts';
import { loadBase, type BaseSpec, type LoadedBase } from './base/load-base.ts';
import { checkBffContract, discoverBffSchemas, type BffBase } from './bff-contracts.ts';
import { CheckUsageError } from './check-usage-error.ts';
import { clientOperations, operationsForBff } from './client-operations.ts';
import { diffSchemas } from './diff/diff-schemas.ts';
import { loadOperations, validateOperations } from './operations.ts';
import { rootRelative } from './paths.ts';
import type {
  AssessedChange,
  BffContractReport,
  CheckOutcome,
  CheckResult,
  ClientsReport,
  CompositionError,
  DriftReport,
  OperationsReport,
  Summary,
} from './result.ts';
import { SubgraphIndex, type SubgraphSdl } from './subgraph-index.ts';

export interface CheckOptions {
  /** The project root: where supergraph.yaml, schema/ and bffs/ are. Default: the cwd. */
  readonly root?: string;
  /** Default `supergraph.yaml`; relative paths are relative to the root. */
  readonly config?: string;
  /** The committed supergraph checked for drift. Default `schema/supergraph.graphql`. */
  readonly supergraph?: string;
  /** Default: git, at `origin/main` when it exists, else `HEAD`. */
  readonly base?: BaseSpec;
  /** The client registry; relative paths are relative to the root. Default `schema/clients`. */
  readonly clients?: string;
}

/**
 * Runs every check in order: composition, drift, breaking changes against the base,
 * client operations against the new schema, then each BFF's contract with its registered
 * clients. Returns what it found; throws CheckUsageError only when the check cannot run at all.
 */
export async function runCheck(options: CheckOptions = {}): Promise<CheckResult> {
  const started = performance.now();
  const root = options.root ?? process.cwd();
  const configPath = rootRelative(root, resolveIn(root, options.config ?? 'supergraph.yaml'));
  const supergraphPath = rootRelative(root, resolveIn(root, options.supergraph ?? 'schema/supergraph.graphql'));
  const clientsDir = rootRelative(root, resolveIn(root, options.clients ?? DEFAULT_REGISTRY_DIR));

  const config = await readConfig(join(root, configPath));
  // Root-relative files: they end up in reports and in composition's syntax errors.
  const subgraphs = config.subgraphs.map((s) => ({ name: s.name, url: s.url, sdl: s.sdl, file: rootRelative(root, s.file) }));
  const names = subgraphs.map((s) => s.name);
  const newIndex = new SubgraphIndex(subgraphs, true);

  const composed = composeSubgraphs(subgraphs);
  if (!composed.ok) {
    return {
      outcome: 'composition-failed',
      composition: { ok: false, subgraphs: names, errors: composed.errors.map((e) => locateIssue(e, subgraphs, newIndex)) },
      base: { kind: 'none', reason: 'not compared: composition failed' },
      changes: [],
      operations: { files: 0, count: 0, invalid: [] },
      bffs: [],
      clients: { dir: clientsDir, clients: [], problems: [] },
      summary: { breaking: 0, breakingUsed: 0, dangerous: 0, safe: 0, invalidOperations: 0 },
      durationMs: performance.now() - started,
    };
  }

  const drift = await checkDrift(root, supergraphPath, composed.supergraphSdl);
  const newApi = apiSchemaOfSupergraph(composed.supergraphSdl);
  const base = await loadBase(options.base ?? { kind: 'git' }, { root, config: configPath, supergraph: supergraphPath });
  const changes = base.schema ? diffSchemas(base.schema.api, newApi) : [];

  const bffSchemas = await discoverBffSchemas(root);
  const registry = await loadClientRegistry({ root, dir: clientsDir, bffs: bffSchemas.map((b) => b.name) });
  const registered = clientOperations(registry);

  // The supergraph's operations: the BFFs' own, and those of the registered /graphql clients.
  const loaded = await loadOperations(root);
  const supergraphOperations = [...loaded.operations, ...registered.supergraph.operations];
  const invalid = [...loaded.problems, ...validateOperations(newApi, supergraphOperations)];
  const usage = usageOf(supergraphOperations, base.schema ? [base.schema.api, newApi] : [newApi]);
  const baseIndex = new SubgraphIndex(base.schema?.subgraphs ?? [], false);
  const fileOf = new Map(subgraphs.map((s) => [s.name, s.file]));
  const assessed = assessChanges(changes, usage, newIndex, baseIndex, fileOf);
  const operations: OperationsReport = {
    files: loaded.files.length + registered.supergraph.files.length,
    count: supergraphOperations.length,
    invalid,
  };

  const bffBase = bffBaseOf(base, root);
  const bffs: BffContractReport[] = [];
  for (const bff of bffSchemas) bffs.push(await checkBffContract(bff, bffBase, operationsForBff(registered, bff.name)));
  const clients = clientsReport(registry, registered.problems);

  return {
    outcome: outcomeOf(drift, assessed, operations, bffs, clients),
    composition: { ok: true, subgraphs: names },
    drift,
    base: base.report,
    changes: assessed,
    operations,
    bffs,
    clients,
    summary: summarize(assessed, operations, bffs, clients),
    durationMs: performance.now() - started,
  };
}

/** BFF schemas are read from the same commit as the supergraph's base; a base file names no BFF schema. */
function bffBaseOf(base: LoadedBase, root: string): BffBase {
  switch (base.report.kind) {
    case 'git':
      return { kind: 'git', git: new Git(root), commit: base.report.commit };
    case 'file':
      return { kind: 'none', reason: 'not compared: --base-file gives a supergraph base only (use --base <ref> to diff BFF schemas)' };
    case 'none':
      return { kind: 'none', reason: base.report.reason };
  }
}

function clientsReport(registry: ClientRegistry, problems: ClientsReport['problems']): ClientsReport {
  return {
    dir: registry.dir,
    clients: registry.clients.map((c) => ({
      name: c.name,
      door: c.door.path,
      versions: c.versions.map((v) => ({ version: v.version, operations: v.operations.length })),
    })),
    problems,
  };
}

function outcomeOf(
  drift: DriftReport,
  changes: readonly AssessedChange[],
  operations: OperationsReport,
  bffs: readonly BffContractReport[],
  clients: ClientsReport,
): CheckOutcome {
  if (!drift.ok) return 'drift';
  const failed = (changed: readonly AssessedChange[], checked: OperationsReport): boolean =>
    checked.invalid.length > 0 || changed.some((c) => c.severity === 'error');
  if (failed(changes, operations) || clients.problems.length > 0) return 'operations-failed';
  if (bffs.some((b) => b.schemaError !== undefined || failed(b.changes, b.operations))) return 'operations-failed';
  return 'passed';
}

function summarize(changes: readonly AssessedChange[], operations: OperationsReport, bffs: readonly BffContractReport[], clients: ClientsReport): Summary {
  const all = [...changes, ...bffs.flatMap((b) => b.changes)];
  return {
    breaking: all.filter((c) => c.criticality === 'breaking').length,
    breakingUsed: all.filter((c) => c.severity === 'error').length,
    dangerous: all.filter((c) => c.criticality === 'dangerous').length,
    safe: all.filter((c) => c.criticality === 'safe').length,
    invalidOperations:
      operations.invalid.length +
      clients.problems.length +
      bffs.reduce((n, b) => n + b.operations.invalid.length + (b.schemaError ? 1 : 0), 0),
  };
}

async function readConfig(path: string): Promise<SupergraphConfig> {
  try {
    return await loadSupergraphConfig(path);
  } catch (error) {
    if (error instanceof SupergraphConfigError) throw new CheckUsageError(error.message, { cause: error });
    throw error;
  }
}

/** The committed supergraph must be byte for byte what `npm run schema:compose` writes now. */
async function checkDrift(root: string, file: string, fresh: string): Promise<DriftReport> {
  let committed: string;
  try {
    committed = await readFile(join(root, file), 'utf8');
  } catch {
    return { ok: false, file, reason: 'missing' };
  }
  if (committed === fresh) return { ok: true, file };
  const before = committed.split('\n');
  const after = fresh.split('\n');
  let line = 0;
  while (line < before.length && line < after.length && before[line] === after[line]) line++;
  return { ok: false, file, reason: 'different', line: line + 1 };
}

/** Adds a file and line to a composition error: the subgraph's definition of its coordinate. */
function locateIssue(issue: CompositionIssue, subgraphs: readonly SubgraphSdl[], index: SubgraphIndex): CompositionError {
  const subgraph = issue.subgraph;
  const file = subgraphs.find((s) => s.name === subgraph)?.file;
  const definition = issue.coordinate ? index.lookup(issue.coordinate).find((d) => d.subgraph === subgraph) : undefined;
  // Syntax errors carry their position in the message instead: `(schema/x.graphql:3:7)`.
  const syntaxLine = /:(\d+):\d+\)$/.exec(issue.message)?.[1];
  const line = definition?.line ?? (syntaxLine !== undefined ? Number(syntaxLine) : undefined);
  return {
    code: issue.code,
    message: issue.message,
    subgraphs: issue.subgraphs,
    ...(issue.coordinate !== undefined ? { coordinate: issue.coordinate } : {}),
    ...(file !== undefined ? { location: { file, ...(line !== undefined ? { line } : {}) } } : {}),
  };
}

function resolveIn(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, path);
}
