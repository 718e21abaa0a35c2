import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import {
  configSchema,
  upstreamPolicySchema,
  type GatewayConfig,
  type GatewayConfigInput,
  type UpstreamPolicyConfig,
} from './schema.ts';
import { deepFreeze, deepMerge, isPlainObject, type PlainObject } from './merge.ts';

/** Start-up stops with this: the message names every bad key and where it came from. */
export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid gateway configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig extends GatewayConfig {
  /** Upstream policies after per-upstream/per-route overrides, validated at load time. */
  readonly policies: Readonly<Record<string, UpstreamPolicyConfig>>;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Config under the file and the env: wiring a launcher knows and a deployment would
   * otherwise write (`npm start` routes the demo's own upstreams with it), so the file and
   * the env still override it exactly as they do on their own.
   */
  base?: GatewayConfigInput;
  /** Programmatic config (tests, embedding); wins over file and env. */
  overrides?: GatewayConfigInput;
}

/** The env var naming the config file (YAML, or JSON when it ends in `.json`). */
export const CONFIG_FILE_ENV = 'GATEWAY_CONFIG';

/** Env vars the gateway reads, mapped to config keys (documented in the README's env table). */
export const ENV_KEYS: ReadonlyArray<[envName: string, path: readonly string[], kind: 'string' | 'number' | 'boolean']> = [
  ['HOST', ['server', 'host'], 'string'],
  ['PORT', ['server', 'port'], 'number'],
  ['BODY_LIMIT_BYTES', ['server', 'bodyLimitBytes'], 'number'],
  ['REQUEST_TIMEOUT_MS', ['server', 'requestTimeoutMs'], 'number'],
  ['DRAIN_TIMEOUT_MS', ['server', 'drainTimeoutMs'], 'number'],
  ['SUPERGRAPH_PATH', ['supergraph', 'path'], 'string'],
  ['SUPERGRAPH_POLL_URL', ['supergraph', 'pollUrl'], 'string'],
  ['SHUTDOWN_DELAY_MS', ['server', 'shutdownDelayMs'], 'number'],
  ['HEAP_GROWTH_PERCENT', ['server', 'heapGrowthPercent'], 'number'],
  ['REDIS_URL', ['redis', 'url'], 'string'],
  ['LOG_LEVEL', ['log', 'level'], 'string'],
  ['JWKS_URL', ['auth', 'jwks', 'url'], 'string'],
  ['JWT_ISSUER', ['auth', 'issuer'], 'string'],
  ['JWT_AUDIENCE', ['auth', 'audience'], 'string'],
  ['AUTH_DEV_KEYS', ['auth', 'devKeys'], 'boolean'],
  ['ENGINE_EXECUTOR', ['engine', 'executor'], 'string'],
  ['DEDUP_SUBGRAPH_FETCHES', ['engine', 'dedup', 'subgraphFetches'], 'boolean'],
  ['DEDUP_INBOUND_OPERATIONS', ['engine', 'dedup', 'inboundOperations'], 'boolean'],
  ['IDENTITY_SIGNING_KEY_ID', ['identitySigning', 'keyId'], 'string'],
  // `<id>:<secret>,…`, parsed by the identitySigning schema.
  ['IDENTITY_SIGNING_KEYS', ['identitySigning', 'keys'], 'string'],
];

const SUBGRAPH_URL_ENV = /^SUBGRAPH_([A-Z0-9_]+)_URL$/;
/** `SUBGRAPH_<NAME>_URL` → `subgraphs.<name>.url`, for every subgraph name (lower-cased). */
export const SUBGRAPH_URL_ENV_NAME = 'SUBGRAPH_<NAME>_URL';

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const sources: Array<{ origin: string; value: PlainObject }> = [];
  if (options.base) sources.push({ origin: 'base', value: options.base as PlainObject });
  const filePath = env[CONFIG_FILE_ENV];
  if (filePath) sources.push({ origin: `file ${filePath}`, value: readConfigFile(filePath) });
  sources.push({ origin: 'env', value: fromEnv(env) });
  if (options.overrides) sources.push({ origin: 'overrides', value: options.overrides as PlainObject });

  const merged = sources.reduce<PlainObject>((acc, s) => mergeSource(acc, s.value), {});
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, [], env));
  const config = parsed.data;

  const problems: string[] = [];
  const policies: Record<string, UpstreamPolicyConfig> = {};
  const resolve = (name: string, override: PlainObject, at: string[]): void => {
    const r = upstreamPolicySchema.safeParse(deepMerge(config.upstreamDefaults as PlainObject, override));
    if (r.success) policies[name] = r.data;
    else problems.push(...describeIssues(r.error.issues, at, env));
  };
  for (const [name, override] of Object.entries(config.upstreams)) resolve(name, override as PlainObject, ['upstreams', name]);
  config.routes.forEach((route, i) => {
    const base = (config.upstreams[route.name] ?? {}) as PlainObject;
    resolve(route.name, deepMerge(base, route.policy as PlainObject), ['routes', String(i), 'policy']);
  });
  const names = config.routes.map((r) => r.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) problems.push(`routes: route name "${dup}" is used twice`);
  if (problems.length > 0) throw new ConfigError(problems);

  return deepFreeze({ ...config, policies });
}

/**
 * One source over the ones below it (`deepMerge`), except `routes`, merged by name: a
 * route replaces the one of its name below and other names are added, so a config file
 * can add a route to the ones a launcher wired (`base`) without repeating them.
 */
function mergeSource(below: PlainObject, source: PlainObject): PlainObject {
  const merged = deepMerge(below, source);
  if (Array.isArray(below.routes) && Array.isArray(source.routes)) {
    const nameOf = (route: unknown): unknown => (isPlainObject(route) ? route.name : undefined);
    const replaced = new Set<unknown>(source.routes.map(nameOf).filter((n) => typeof n === 'string'));
    merged.routes = [...below.routes.filter((r) => !replaced.has(nameOf(r))), ...source.routes];
  }
  return merged;
}

/** The policy for one upstream: its resolved override, or the defaults. */
export function policyFor(config: LoadedConfig, upstream: string): UpstreamPolicyConfig {
  return config.policies[upstream] ?? config.upstreamDefaults;
}

function readConfigFile(path: string): PlainObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${CONFIG_FILE_ENV}: cannot read ${path}: ${(error as Error).message}`]);
  }
  try {
    const value: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error('the top level must be a mapping');
    }
    return value as PlainObject;
  } catch (error) {
    throw new ConfigError([`${CONFIG_FILE_ENV}: ${path} does not parse: ${(error as Error).message}`]);
  }
}

function fromEnv(env: NodeJS.ProcessEnv): PlainObject {
  const out: PlainObject = {};
  for (const [name, path, kind] of ENV_KEYS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(out, path, coerce(raw, kind));
  }
  for (const [name, raw] of Object.entries(env)) {
    const m = SUBGRAPH_URL_ENV.exec(name);
    if (m?.[1] && raw) setPath(out, ['subgraphs', m[1].toLowerCase(), 'url'], raw);
  }
  return out;
}

/** Leaves a value that does not coerce as a string, so validation names the key. */
function coerce(raw: string, kind: 'string' | 'number' | 'boolean'): unknown {
  if (kind === 'number') return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
  if (kind === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

function setPath(target: PlainObject, path: readonly string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((key) => {
    node[key] ??= {};
    node = node[key] as PlainObject;
  });
  node[path[path.length - 1] as string] = value;
}

function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: string[], env: NodeJS.ProcessEnv): string[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(String)];
    const key = path.join('.') || '(root)';
    const fromEnvVar = ENV_KEYS.find(([name, p]) => p.join('.') === key && env[name] !== undefined)?.[0];
    const keys = issue.code === 'unrecognized_keys' ? ` (unknown key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')})` : '';
    return `${key}${fromEnvVar ? ` (env ${fromEnvVar})` : ''}: ${issue.message}${keys}`;
  });
}
