import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { composeSubgraphs, formatIssue } from '../../compose/compose.ts';
import { parseSupergraphYaml } from '../../compose/load-supergraph-config.ts';
import { apiSchemaOfSupergraph, loadSchemaSdl, type LoadedSchema } from '../api-schema.ts';
import { CheckUsageError } from '../check-usage-error.ts';
import { rootRelative } from '../paths.ts';
import type { BaseReport } from '../result.ts';
import { Git } from './git.ts';

/** What to compare against: a git ref (default `origin/main`, else `HEAD`) or a schema file. */
export type BaseSpec = { readonly kind: 'git'; readonly ref?: string } | { readonly kind: 'file'; readonly path: string };

export interface LoadedBase {
  readonly report: BaseReport;
  /** Absent when there is no base to compare with (no commits, or no schema at the ref). */
  readonly schema?: LoadedSchema;
}

interface Paths {
  readonly root: string;
  /** Root-relative, `/`-separated. */
  readonly config: string;
  readonly supergraph: string;
}

const DEFAULT_REFS = ['origin/main', 'HEAD'];

export async function loadBase(spec: BaseSpec, paths: Paths): Promise<LoadedBase> {
  return spec.kind === 'file' ? loadFileBase(spec.path, paths.root) : loadGitBase(spec.ref, paths);
}

async function loadFileBase(path: string, root: string): Promise<LoadedBase> {
  const absolute = isAbsolute(path) ? path : join(root, path);
  let sdl: string;
  try {
    sdl = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new CheckUsageError(`--base-file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    const shown = rootRelative(root, absolute);
    return { report: { kind: 'file', file: shown.startsWith('../') ? absolute : shown }, schema: loadSchemaSdl(sdl) };
  } catch (error) {
    throw new CheckUsageError(`--base-file ${path}: not a valid supergraph or API schema: ${(error as Error).message}`, { cause: error });
  }
}

async function loadGitBase(explicitRef: string | undefined, paths: Paths): Promise<LoadedBase> {
  const git = new Git(paths.root);
  let ref: string | undefined;
  let commit: string | undefined;
  if (explicitRef !== undefined) {
    ref = explicitRef;
    commit = await git.resolveCommit(explicitRef);
    if (!commit) throw new CheckUsageError(`--base ${explicitRef}: not a commit in the repository at ${paths.root}`);
  } else {
    for (const candidate of DEFAULT_REFS) {
      commit = await git.resolveCommit(candidate);
      if (commit) {
        ref = candidate;
        break;
      }
    }
    if (!commit || !ref) {
      return { report: { kind: 'none', reason: `neither ${DEFAULT_REFS.join(' nor ')} resolves (not a git repository, or no commits yet)` } };
    }
  }

  const composed = await composeAtCommit(git, commit, paths);
  if (composed.schema) return { report: { kind: 'git', ref, commit, from: 'composed' }, schema: composed.schema };

  // The base's own config did not compose (or is absent): its committed supergraph is the
  // next best statement of what clients were served.
  const committed = await git.show(commit, paths.supergraph);
  if (committed !== undefined) {
    try {
      return { report: { kind: 'git', ref, commit, from: 'committed-supergraph' }, schema: loadSchemaSdl(committed) };
    } catch {
      // fall through: neither source is usable
    }
  }
  if (composed.missing) {
    return { report: { kind: 'none', reason: `${ref} has no ${paths.config} and no ${paths.supergraph}: nothing to compare with` } };
  }
  throw new CheckUsageError(`base ${ref}: ${composed.problem}`);
}

type Composed = { schema: LoadedSchema; missing?: never; problem?: never } | { schema?: never; missing: boolean; problem: string };

async function composeAtCommit(git: Git, commit: string, paths: Paths): Promise<Composed> {
  const configText = await git.show(commit, paths.config);
  if (configText === undefined) return { missing: true, problem: `${paths.config} does not exist` };
  let declared: ReturnType<typeof parseSupergraphYaml>;
  try {
    declared = parseSupergraphYaml(configText, join(paths.root, paths.config));
  } catch (error) {
    return { missing: false, problem: (error as Error).message };
  }
  const subgraphs = [];
  for (const s of declared.subgraphs) {
    const file = rootRelative(paths.root, s.file);
    const sdl = await git.show(commit, file);
    if (sdl === undefined) return { missing: false, problem: `subgraph ${s.name}: ${file} does not exist at ${commit.slice(0, 12)}` };
    subgraphs.push({ name: s.name, url: s.url, sdl, file });
  }
  const outcome = composeSubgraphs(subgraphs);
  if (!outcome.ok) {
    return { missing: false, problem: `does not compose:\n  ${outcome.errors.map(formatIssue).join('\n  ')}` };
  }
  return { schema: { api: apiSchemaOfSupergraph(outcome.supergraphSdl), subgraphs } };
}
