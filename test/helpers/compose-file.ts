import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * docker-compose.yml and gateway/Dockerfile as the container tests read them: the compose
 * file as the compose tool itself resolves it (anchors merged, `${VAR:-default}`
 * interpolated), the Dockerfile's ENV, COPY and USER instructions.
 */

export const ROOT = process.cwd();
export const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
export const DOCKERFILE = join(ROOT, 'gateway/Dockerfile');

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const names = z
  .union([z.array(z.string()), z.record(z.string(), z.unknown())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : Object.keys(v)));

const serviceSchema = z.looseObject({
  build: z.union([z.string(), z.looseObject({ context: z.string().optional(), dockerfile: z.string().optional() })]).optional(),
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  environment: z
    .record(z.string(), scalar)
    .default({})
    .transform((env) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]))),
  healthcheck: z.looseObject({ test: z.array(z.string()) }).optional(),
  depends_on: z.record(z.string(), z.looseObject({ condition: z.string().optional() })).default({}),
  user: z.string().optional(),
  read_only: z.boolean().optional(),
  cap_drop: z.array(z.string()).optional(),
  security_opt: z.array(z.string()).optional(),
  tmpfs: z.union([z.string(), z.array(z.string())]).optional(),
  stop_grace_period: z.string().optional(),
  networks: names,
  ports: z.array(z.unknown()).optional(),
  volumes: z.array(z.unknown()).optional(),
});
export type ComposeService = z.output<typeof serviceSchema>;

const composeSchema = z.looseObject({ services: z.record(z.string(), serviceSchema), networks: names });
export type ComposeFile = z.output<typeof composeSchema>;

/** `docker-compose` (Debian's v1) or the `docker compose` plugin, whichever is installed. */
export function composeTool(): string[] | undefined {
  for (const cmd of [['docker-compose'], ['docker', 'compose']]) {
    const probe = spawnSync(cmd[0] ?? '', [...cmd.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return cmd;
  }
  return undefined;
}

export const MISSING_TOOL = 'docker-compose is not installed: apt-get install -y docker-compose (.ci/run installs it; README, Tests)';

let resolved: ComposeFile | undefined;

/** The compose file as `docker-compose config` prints it; throws (never skips) when the tool is missing or refuses it. */
export function resolvedCompose(): ComposeFile {
  if (resolved) return resolved;
  const cmd = composeTool();
  if (!cmd) throw new Error(MISSING_TOOL);
  const out = spawnSync(cmd[0] ?? '', [...cmd.slice(1), '-f', COMPOSE_FILE, 'config'], { encoding: 'utf8', cwd: ROOT });
  if (out.status !== 0) throw new Error(`${cmd.join(' ')} config failed: ${out.stderr}`);
  resolved = composeSchema.parse(parseYaml(out.stdout));
  return resolved;
}

/** The file as written, YAML merge keys resolved as compose does (no interpolation). */
export function rawCompose(): ComposeFile {
  return composeSchema.parse(parseYaml(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }));
}

/** The services that run the gateway (its replicas), in name order. */
export function gatewayReplicas(file: ComposeFile): string[] {
  return Object.entries(file.services)
    .filter(([, s]) => s.command?.at(-1) === 'gateway/cli/start.ts')
    .map(([name]) => name)
    .sort();
}

/** A compose duration (`25s`, `1m30s`, `500ms`) in milliseconds. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a compose duration: "${text}"`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] ?? ''] ?? Number.NaN), 0);
}

export interface Dockerfile {
  readonly from: string[];
  readonly env: Readonly<Record<string, string>>;
  readonly user: string | undefined;
  readonly workdir: string | undefined;
  /** COPY instructions from the build context (not `--from` a stage): sources and destination. */
  readonly copies: ReadonlyArray<{ sources: string[]; dest: string }>;
}

/**
 * The instructions the container tests rely on. Deliberately small: a form it does not
 * read (quoted ENV values, the legacy `ENV key value`, COPY flags) throws, so a Dockerfile
 * change cannot slip past the tests unread.
 */
export function readDockerfile(path = DOCKERFILE): Dockerfile {
  const instructions: string[] = [];
  let pending = '';
  // Docker drops comment lines, even inside a continued instruction.
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (/^\s*#/.test(line) || (pending === '' && line.trim() === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    instructions.push(`${pending}${line}`.trim());
    pending = '';
  }
  const env: Record<string, string> = {};
  const copies: Array<{ sources: string[]; dest: string }> = [];
  const from: string[] = [];
  let user: string | undefined;
  let workdir: string | undefined;
  for (const instruction of instructions) {
    const [op = '', ...args] = instruction.split(/\s+/);
    switch (op.toUpperCase()) {
      case 'FROM':
        from.push(args.join(' '));
        break;
      case 'ENV':
        for (const pair of args) {
          const eq = pair.indexOf('=');
          if (eq <= 0 || /["']/.test(pair)) throw new Error(`Dockerfile ENV "${pair}": only unquoted KEY=value pairs are read here`);
          env[pair.slice(0, eq)] = pair.slice(eq + 1);
        }
        break;
      case 'COPY': {
        if (args.some((a) => a.startsWith('--'))) throw new Error(`Dockerfile "${instruction}": COPY flags are not read here`);
        const dest = args.at(-1);
        if (!dest || args.length < 2) throw new Error(`Dockerfile "${instruction}": COPY needs a source and a destination`);
        copies.push({ sources: args.slice(0, -1), dest });
        break;
      }
      case 'USER':
        user = args.join(' ');
        break;
      case 'WORKDIR':
        workdir = args.join(' ');
        break;
      default:
        break;
    }
  }
  return { from, env, user, workdir, copies };
}
