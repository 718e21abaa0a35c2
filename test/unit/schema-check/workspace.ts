import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSubgraphs } from '../../../schema/compose/compose.ts';
import { loadSupergraphConfig } from '../../../schema/compose/load-supergraph-config.ts';

export const WORKSPACE = new URL('../../fixtures/schema-changes/workspace/', import.meta.url).pathname;
/** The workspace's committed supergraph: the base every change is compared with. */
export const WORKSPACE_BASE = join(WORKSPACE, 'schema/supergraph.graphql');
export const COMPOSITION_FIXTURES = new URL('../../fixtures/schema-changes/composition/', import.meta.url).pathname;

export interface Workspace {
  readonly root: string;
  remove(): Promise<void>;
}

/**
 * A copy of the fixture workspace in a temporary folder with `change` applied (the files
 * of `changes/<change>/` replace the subgraph files of the same name). Unless `recompose`
 * is false, the supergraph is recomposed as `npm run schema:compose` would, so only the
 * change itself is under test and not drift.
 */
export async function prepareWorkspace(change?: string, options: { recompose?: boolean } = {}): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), 'schema-check-'));
  await cp(WORKSPACE, root, { recursive: true });
  if (change) {
    const folder = join(WORKSPACE, 'changes', change);
    for (const file of await readdir(folder)) await cp(join(folder, file), join(root, 'schema', file));
  }
  if (options.recompose ?? true) await recompose(root);
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

export async function recompose(root: string): Promise<void> {
  const config = await loadSupergraphConfig(join(root, 'supergraph.yaml'));
  const composed = composeSubgraphs(config.subgraphs);
  if (!composed.ok) throw new Error(`workspace does not compose: ${composed.errors.map((e) => e.message).join('; ')}`);
  await writeFile(join(root, 'schema/supergraph.graphql'), composed.supergraphSdl);
}
