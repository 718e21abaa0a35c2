import { readFileSync, writeFileSync } from 'node:fs';
import { generateConfigReference, referencePath } from '../config/reference/index.ts';

/**
 * `npm run config:reference`: regenerates docs/config.schema.json and
 * docs/config-reference.md from the config schema. With `--check`, writes nothing and
 * exits 1 when a committed file is out of date (what the unit test checks too).
 */
function main(): void {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const file of generateConfigReference()) {
    const path = referencePath(file);
    let committed: string | undefined;
    try {
      committed = readFileSync(path, 'utf8');
    } catch {
      committed = undefined;
    }
    if (committed === file.content) continue;
    stale.push(file.path);
    if (!check) writeFileSync(path, file.content);
  }
  if (check && stale.length > 0) {
    process.stderr.write(`out of date: ${stale.join(', ')}; run npm run config:reference\n`);
    process.exit(1);
  }
  process.stdout.write(stale.length === 0 ? 'config reference is up to date\n' : `wrote ${stale.join(', ')}\n`);
}

main();
