import { readFile, rename, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { composeSubgraphs, formatIssue } from '../compose/compose.ts';
import { loadSupergraphConfig, SupergraphConfigError } from '../compose/load-supergraph-config.ts';

/**
 * `npm run schema:compose [-- --config supergraph.yaml --out schema/supergraph.graphql]`
 *
 * Composes the subgraphs named in the config and writes the supergraph SDL. On failure it
 * prints every error and exits 1 without touching the output, so a broken subgraph never
 * replaces the supergraph the gateway serves. The file is only rewritten when its bytes
 * change, and via a rename so a reader never sees half of it.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: 'supergraph.yaml' },
      out: { type: 'string', default: 'schema/supergraph.graphql' },
    },
    strict: true,
  });
  const out = resolve(values.out);

  const config = await loadSupergraphConfig(values.config);
  const result = composeSubgraphs(config.subgraphs);
  if (!result.ok) {
    process.stderr.write(`Composition failed with ${result.errors.length} error(s):\n`);
    for (const issue of result.errors) process.stderr.write(`  ${formatIssue(issue)}\n`);
    return 1;
  }

  for (const hint of result.hints) process.stderr.write(`hint: ${formatIssue(hint)}\n`);
  const previous = await readFile(out, 'utf8').catch(() => undefined);
  const changed = previous !== result.supergraphSdl;
  if (changed) {
    const tmp = `${out}.${process.pid}.tmp`;
    await writeFile(tmp, result.supergraphSdl);
    await rename(tmp, out);
  }
  const names = config.subgraphs.map((s) => s.name).join(', ');
  process.stdout.write(
    `Composed ${config.subgraphs.length} subgraphs (${names}) → ${relative(process.cwd(), out) || out}` +
      ` (${changed ? 'written' : 'unchanged'}, ${result.hints.length} hint(s))\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof SupergraphConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
