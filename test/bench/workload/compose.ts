import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeSubgraphs, formatIssue } from '../../../schema/compose/compose.ts';
import { WORKLOAD_SUBGRAPH_NAMES, workloadSubgraphSdl } from './subgraphs.ts';

/** The committed supergraph of the workload (regenerate: `node --import tsx test/bench/workload/compose.ts`). */
export const WORKLOAD_SUPERGRAPH_PATH = fileURLToPath(new URL('supergraph.graphql', import.meta.url));

/**
 * Placeholder routing URLs written into the committed supergraph; whoever runs it points the
 * gateway at the real ports (`SUBGRAPH_<NAME>_URL`, or `supergraphWithUrls`).
 */
const PLACEHOLDER_URL = (name: string): string => `http://127.0.0.1:4200/${name}/graphql`;

/** Composes the four workload subgraphs the way the project composes its own (@apollo/composition). */
export function composeWorkloadSupergraph(): string {
  const result = composeSubgraphs(WORKLOAD_SUBGRAPH_NAMES.map((name) => ({ name, url: PLACEHOLDER_URL(name), sdl: workloadSubgraphSdl(name), file: `schema/${name}.graphql` })));
  if (!result.ok) throw new Error(`workload composition failed:\n  ${result.errors.map(formatIssue).join('\n  ')}`);
  return result.supergraphSdl;
}

/** The workload supergraph SDL with each subgraph's `@join__graph(url:)` replaced. */
export function supergraphWithUrls(urls: Readonly<Record<string, string>>, sdl: string = readFileSync(WORKLOAD_SUPERGRAPH_PATH, 'utf8')): string {
  let out = sdl;
  for (const [name, url] of Object.entries(urls)) {
    const next = out.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${url}$2`);
    if (next === out && !out.includes(`url: "${url}"`)) throw new Error(`no @join__graph for subgraph "${name}" in the supergraph`);
    out = next;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sdl = composeWorkloadSupergraph();
  const previous = (() => {
    try {
      return readFileSync(WORKLOAD_SUPERGRAPH_PATH, 'utf8');
    } catch {
      return undefined;
    }
  })();
  if (previous !== sdl) writeFileSync(WORKLOAD_SUPERGRAPH_PATH, sdl);
  process.stdout.write(`${WORKLOAD_SUPERGRAPH_PATH}: ${previous === sdl ? 'unchanged' : 'written'}\n`);
}
