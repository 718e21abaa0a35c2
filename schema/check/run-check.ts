import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { composeSubgraphs, type CompositionIssue } from '../compose/compose.ts';
import { loadSupergraphConfig, SupergraphConfigError, type SupergraphConfig } from '../compose/load-supergraph-config.ts';
import { apiSchemaOfSupergraph } from './api-schema.ts';
import { assessChanges, usageOf } from './assess.ts';
import { loadBase, type BaseSpec } from './base/load-base.ts';
import { CheckUsageError } from './check-usage-error.ts';
import { diffSchemas } from './diff/diff-schemas.ts';
import { loadOperations, validateOperations } from './operations.ts';
import { rootRelative } from './paths.ts';
import type { AssessedChange, CheckOutcome, CheckResult, CompositionError, DriftReport, OperationsReport } from './result.ts';
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
}

/**
 * Runs every check in order: composition, drift, breaking changes against the base,
 * client operations against the new schema. Returns what it found; throws
 * CheckUsageError only when the check cannot run at all.
 */
export async function runCheck(options: CheckOptions = {}): Promise<CheckResult> {
  const started = performance.now();
  const root = options.root ?? process.cwd();
  const configPath = rootRelative(root, resolveIn(root, options.config ?? 'supergraph.yaml'));
  const supergraphPath = rootRelative(root, resolveIn(root, options.supergraph ?? 'schema/supergraph.graphql'));

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
      summary: { breaking: 0, breakingUsed: 0, dangerous: 0, safe: 0, invalidOperations: 0 },
      durationMs: performance.now() - started,
    };
  }

  const drift = await checkDrift(root, supergraphPath, composed.supergraphSdl);
  const newApi = apiSchemaOfSupergraph(composed.supergraphSdl);
  const base = await loadBase(options.base ?? { kind: 'git' }, { root, config: configPath, supergraph: supergraphPath });
  const changes = base.schema ? diffSchemas(base.schema.api, newApi) : [];

  const loaded = await loadOperations(root);
  const invalid = [...loaded.problems, ...validateOperations(newApi, loaded.operations)];
  const usage = usageOf(loaded.operations, base.schema ? [base.schema.api, newApi] : [newApi]);
  const baseIndex = new SubgraphIndex(base.schema?.subgraphs ?? [], false);
  const fileOf = new Map(subgraphs.map((s) => [s.name, s.file]));
  const assessed = assessChanges(changes, usage, newIndex, baseIndex, fileOf);
  const operations: OperationsReport = { files: loaded.files.length, count: loaded.operations.length, invalid };

  return {
    outcome: outcomeOf(drift, assessed, operations),
    composition: { ok: true, subgraphs: names },
    drift,
    base: base.report,
    changes: assessed,
    operations,
    summary: {
      breaking: assessed.filter((c) => c.criticality === 'breaking').length,
      breakingUsed: assessed.filter((c) => c.severity === 'error').length,
      dangerous: assessed.filter((c) => c.criticality === 'dangerous').length,
      safe: assessed.filter((c) => c.criticality === 'safe').length,
      invalidOperations: invalid.length,
    },
    durationMs: performance.now() - started,
  };
}

function outcomeOf(drift: DriftReport, changes: readonly AssessedChange[], operations: OperationsReport): CheckOutcome {
  if (!drift.ok) return 'drift';
  if (operations.invalid.length > 0 || changes.some((c) => c.severity === 'error')) return 'operations-failed';
  return 'passed';
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
