import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BaseSpec } from './base/load-base.ts';
import { CheckUsageError, isCheckUsageError } from './check-usage-error.ts';
import { exitCodeFor, exitCodes } from './exit-codes.ts';
import { renderGithub } from './report/github.ts';
import { renderJson } from './report/json.ts';
import { renderText } from './report/text.ts';
import type { CheckResult } from './result.ts';
import { runCheck, type CheckOptions } from './run-check.ts';

const USAGE = `Usage: npm run schema:check -- [options]

Composes the subgraphs in supergraph.yaml, checks schema/supergraph.graphql for drift,
diffs the API schema and every BFF schema against a base, and validates the BFFs'
supergraph operations and every registered client version's operations (schema/clients).

Options:
  --base <ref>          git ref to compare with (default: origin/main if it exists, else HEAD)
  --base-file <path>    compare with a supergraph or API schema file instead of git
  --format <f>          text (default), json or github (GitHub Actions annotations)
  --json                same as --format json
  --root <dir>          project root (default: the current directory)
  --config <path>       supergraph config (default: supergraph.yaml)
  --supergraph <path>   committed supergraph (default: schema/supergraph.graphql)
  --clients <dir>       client registry (default: schema/clients)
  -h, --help            this text

Exit codes: 0 passed, 1 operation broken or invalid, 2 drift, 3 composition failed,
4 usage or I/O error. See schema/check/README.md.
`;

const renderers = { text: renderText, json: renderJson, github: renderGithub } as const satisfies Record<string, (r: CheckResult) => string>;
type Format = keyof typeof renderers;

interface Cli {
  readonly options: CheckOptions;
  readonly format: Format;
  readonly help: boolean;
}

function parseCli(argv: readonly string[]): Cli {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        base: { type: 'string' },
        'base-file': { type: 'string' },
        format: { type: 'string', default: 'text' },
        json: { type: 'boolean', default: false },
        root: { type: 'string' },
        config: { type: 'string' },
        supergraph: { type: 'string' },
        clients: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CheckUsageError((error as Error).message);
  }
  if (values.base !== undefined && values['base-file'] !== undefined) {
    throw new CheckUsageError('--base and --base-file are exclusive: compare with a git ref or with a file');
  }
  const format = values.json ? 'json' : values.format;
  if (!Object.hasOwn(renderers, format)) throw new CheckUsageError(`--format ${format}: expected text, json or github`);

  // Paths on the command line are relative to where the command runs, not to --root.
  const base: BaseSpec =
    values['base-file'] !== undefined
      ? { kind: 'file', path: resolve(values['base-file']) }
      : { kind: 'git', ...(values.base !== undefined ? { ref: values.base } : {}) };
  return {
    options: {
      base,
      ...(values.root !== undefined ? { root: resolve(values.root) } : {}),
      ...(values.config !== undefined ? { config: resolve(values.config) } : {}),
      ...(values.supergraph !== undefined ? { supergraph: resolve(values.supergraph) } : {}),
      ...(values.clients !== undefined ? { clients: resolve(values.clients) } : {}),
    },
    format: format as Format,
    help: values.help,
  };
}

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    process.stdout.write(USAGE);
    return exitCodes.passed;
  }
  const result = await runCheck(cli.options);
  process.stdout.write(renderers[cli.format](result));
  return exitCodeFor(result.outcome);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A check that cannot run must not look like a pass or like a found problem.
    const message = isCheckUsageError(error) ? `schema:check: ${error.message}\n${error.message.startsWith('Unknown option') ? USAGE : ''}` : `schema:check crashed: ${String((error as Error)?.stack ?? error)}\n`;
    process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
    process.exitCode = exitCodes.usage;
  },
);
