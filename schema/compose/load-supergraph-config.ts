import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * `supergraph.yaml`, in the subset of rover's format we use: a federation version and, per
 * subgraph, a routing URL and a local schema file. Rover's other schema sources
 * (`subgraph_url`, `graphref`) need a network or GraphOS; CI composes from files only.
 */
export interface SupergraphConfig {
  /** As written: `=2.14.4` (exact) or `2` (latest 2.x), as rover reads it. */
  readonly federationVersion: string;
  /** In file order (composition sorts by name, so the order does not change the output). */
  readonly subgraphs: readonly SubgraphSource[];
  /** Absolute path of the yaml file read. */
  readonly configPath: string;
}

export interface SubgraphSource {
  readonly name: string;
  /** `routing_url`: where the gateway sends this subgraph's fetches. */
  readonly url: string;
  readonly sdl: string;
  /** Absolute path of the SDL file (resolved relative to the yaml file, like rover). */
  readonly file: string;
}

/** The message names every bad key, as `subgraphs.users.routing_url: …`. */
export class SupergraphConfigError extends Error {
  readonly code = 'INVALID_SUPERGRAPH_CONFIG';
  constructor(
    readonly configPath: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid supergraph config ${configPath}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SupergraphConfigError';
  }
}

// Rover's forms: `=2.3.2` pins a composition version, `2` means the latest 2.x. Fed 1 is out.
const FEDERATION_VERSION = /^(?:=2\.\d+\.\d+(?:-[\w.]+)?|2)$/;
const SUBGRAPH_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const TOP_KEYS = new Set(['federation_version', 'subgraphs']);
const SUBGRAPH_KEYS = new Set(['routing_url', 'schema']);

export async function loadSupergraphConfig(path: string): Promise<SupergraphConfig> {
  const configPath = resolve(path);
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    throw new SupergraphConfigError(configPath, [`cannot read the file: ${(error as Error).message}`]);
  }
  const declared = parseSupergraphYaml(text, configPath);
  const problems: string[] = [];
  const subgraphs = await Promise.all(
    declared.subgraphs.map(async (s): Promise<SubgraphSource | undefined> => {
      try {
        return { ...s, sdl: await readFile(s.file, 'utf8') };
      } catch (error) {
        problems.push(`subgraphs.${s.name}.schema.file: cannot read ${s.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        return undefined;
      }
    }),
  );
  if (problems.length > 0) throw new SupergraphConfigError(configPath, problems);
  return { federationVersion: declared.federationVersion, subgraphs: subgraphs as SubgraphSource[], configPath };
}

/**
 * Parses and validates the yaml text without touching the SDL files (paths are resolved
 * against `configPath`'s folder). Exported for tools that only need the routing URLs.
 */
export function parseSupergraphYaml(
  text: string,
  configPath: string,
): { federationVersion: string; subgraphs: Array<Omit<SubgraphSource, 'sdl'>> } {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new SupergraphConfigError(configPath, [`not valid YAML: ${(error as Error).message}`]);
  }
  if (!isRecord(doc)) throw new SupergraphConfigError(configPath, ['the document must be a mapping with federation_version and subgraphs']);

  for (const key of Object.keys(doc)) if (!TOP_KEYS.has(key)) problems.push(`${key}: unknown key`);

  // YAML reads a bare `2` as a number; rover accepts it, so do we.
  const rawVersion = typeof doc.federation_version === 'number' ? String(doc.federation_version) : doc.federation_version;
  let federationVersion = '';
  if (typeof rawVersion !== 'string') problems.push('federation_version: required, e.g. "=2.14.4" or 2');
  else if (!FEDERATION_VERSION.test(rawVersion)) problems.push(`federation_version: "${rawVersion}" is not "=2.x.y" or 2 (Federation 1 is not supported)`);
  else federationVersion = rawVersion;

  const base = dirname(configPath);
  const subgraphs: Array<Omit<SubgraphSource, 'sdl'>> = [];
  if (!isRecord(doc.subgraphs) || Object.keys(doc.subgraphs).length === 0) {
    problems.push('subgraphs: required, a mapping of at least one subgraph');
  } else {
    for (const [name, entry] of Object.entries(doc.subgraphs)) {
      const at = `subgraphs.${name}`;
      if (!SUBGRAPH_NAME.test(name)) problems.push(`${at}: a subgraph name is letters, digits, _ and -, not starting with a digit`);
      if (!isRecord(entry)) {
        problems.push(`${at}: must be a mapping with routing_url and schema`);
        continue;
      }
      for (const key of Object.keys(entry)) if (!SUBGRAPH_KEYS.has(key)) problems.push(`${at}.${key}: unknown key`);
      const url = entry.routing_url;
      if (typeof url !== 'string' || !isHttpUrl(url)) problems.push(`${at}.routing_url: required, an http(s) URL`);
      const schema = entry.schema;
      const file = isRecord(schema) ? schema.file : undefined;
      if (isRecord(schema)) {
        for (const key of Object.keys(schema)) {
          if (key !== 'file') problems.push(`${at}.schema.${key}: only schema.file is supported (compose runs offline)`);
        }
      }
      if (typeof file !== 'string' || file.length === 0) problems.push(`${at}.schema.file: required, a path to the SDL file`);
      if (typeof url === 'string' && typeof file === 'string' && file.length > 0) {
        subgraphs.push({ name, url, file: resolve(base, file) });
      }
    }
  }
  if (problems.length > 0) throw new SupergraphConfigError(configPath, problems);
  return { federationVersion, subgraphs };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
