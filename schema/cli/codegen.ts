import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BFF_CLIENTS, GENERATED_FILE, bffOperationTypes, supergraphApiSchema } from '../codegen/bff-operation-types.ts';

/**
 * `npm run codegen [-- --check]`: writes `bffs/<client>/operations.generated.ts` for every
 * BFF from its operations and the supergraph. `--check` writes nothing and exits 1 when a
 * committed file is out of date (the unit test runs the same comparison).
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, supergraph: { type: 'string', default: 'schema/supergraph.graphql' } }, strict: true });
  const schema = supergraphApiSchema(values.supergraph);
  let stale = 0;
  for (const client of BFF_CLIENTS) {
    const file = join('bffs', client, GENERATED_FILE);
    const text = await bffOperationTypes(schema, join('bffs', client, 'operations'));
    const current = readCurrent(file);
    if (current === text) continue;
    if (values.check) {
      process.stderr.write(`${file} is out of date: run npm run codegen\n`);
      stale++;
    } else {
      writeFileSync(file, text);
      process.stdout.write(`wrote ${file}\n`);
    }
  }
  return stale > 0 ? 1 : 0;
}

function readCurrent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
