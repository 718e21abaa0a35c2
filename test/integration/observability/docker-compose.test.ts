import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SERVICES } from '../../../subgraphs/catalog.ts';
import { loadConfig } from '../../../gateway/config/index.ts';

interface ComposeService {
  build?: { context?: string; dockerfile?: string } | string;
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number | null>;
  healthcheck?: { test?: unknown };
  depends_on?: Record<string, { condition?: string }> | string[];
}

const ROOT = process.cwd();
const FILE = join(ROOT, 'docker-compose.yml');
/** YAML merge keys (`<<: *node-service`) resolved, as compose does. */
const compose = parseYaml(readFileSync(FILE, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

/** `docker-compose` (Debian's v1) or the `docker compose` plugin, whichever is installed. */
function composeCommand(): string[] | undefined {
  for (const cmd of [['docker-compose'], ['docker', 'compose']]) {
    const probe = spawnSync(cmd[0] as string, [...cmd.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return cmd;
  }
  return undefined;
}

/**
 * docker-compose.yml without a Docker engine: the compose tool validates it, and every
 * service it names exists in this repository (entry file, build context, Dockerfile).
 */
describe('docker-compose.yml', () => {
  const cmd = composeCommand();

  // Never skipped: a missing tool fails here (.ci/run installs it; README lists it).
  it('is valid for the compose tool (`config -q`)', () => {
    if (!cmd) throw new Error('docker-compose is not installed: apt-get install -y docker-compose (.ci/run installs it)');
    const out = spawnSync(cmd[0] as string, [...cmd.slice(1), '-f', FILE, 'config', '-q'], { encoding: 'utf8', cwd: ROOT });
    expect(out.status, out.stderr).toBe(0);
  });

  it('runs every demo subgraph and REST service alone, on its own port, from an entry file that exists', () => {
    for (const s of SERVICES) {
      const svc = services[s.name];
      expect(svc, `service ${s.name}`).toBeDefined();
      expect(svc?.command).toEqual(['node', '--import', 'tsx', `subgraphs/${s.name}/main.ts`]);
      expect(svc?.environment).toMatchObject({ HOST: '0.0.0.0', PORT: String(s.defaultPort) });
      expect(String(JSON.stringify(svc?.healthcheck?.test))).toContain(`127.0.0.1:${s.defaultPort}/health`);
    }
  });

  it('names only things that exist: entry files, build contexts, Dockerfiles, config files', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect(svc.build !== undefined || svc.image !== undefined, `${name}: build or image`).toBe(true);
      if (svc.build) {
        const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
        const context = join(ROOT, build.context ?? '.');
        expect(existsSync(context), `${name}: build context ${context}`).toBe(true);
        expect(existsSync(join(context, build.dockerfile ?? 'Dockerfile')), `${name}: Dockerfile`).toBe(true);
      }
      const command = Array.isArray(svc.command) ? svc.command : (svc.command ?? '').split(/\s+/);
      for (const part of command.filter((p) => p.endsWith('.ts'))) expect(existsSync(join(ROOT, part)), `${name}: ${part}`).toBe(true);
      expect(svc.healthcheck?.test, `${name}: healthcheck`).toBeDefined();
      const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
      for (const dep of deps) expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
    }
    const gatewayConfig = String(services.gateway?.environment?.GATEWAY_CONFIG);
    expect(existsSync(join(ROOT, gatewayConfig))).toBe(true);
  });

  it('wires the gateway to every subgraph, Redis and the OTLP collector, with REST routes to the services', () => {
    const gateway = services.gateway;
    expect(gateway?.command).toEqual(['node', '--import', 'tsx', 'gateway/cli/start.ts']);
    const env = Object.fromEntries(Object.entries(gateway?.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
    for (const s of SERVICES.filter((x) => x.kind === 'subgraph')) {
      expect(env[`SUBGRAPH_${s.name.toUpperCase()}_URL`]).toBe(`http://${s.name}:${s.defaultPort}/graphql`);
    }
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    const otlp = new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
    expect(services[otlp.hostname], 'the OTLP endpoint is a service of the stack').toBeDefined();
    const deps = gateway?.depends_on as Record<string, { condition?: string }>;
    for (const s of SERVICES) expect(deps[s.name]?.condition).toBe('service_healthy');
    expect(deps.redis?.condition).toBe('service_healthy');

    // The gateway would start with exactly this environment (config validates).
    const config = loadConfig({ env });
    expect(config.redis.url).toBe('redis://redis:6379');
    expect(config.server.host).toBe('0.0.0.0');
    for (const s of SERVICES.filter((x) => x.kind === 'rest')) {
      const route = config.routes.find((r) => r.name === s.name);
      expect(route?.targets.map((t) => t.url)).toEqual([`http://${s.name}:${s.defaultPort}`]);
    }
    for (const s of SERVICES.filter((x) => x.kind === 'subgraph')) expect(config.subgraphs[s.name]?.url).toBe(`http://${s.name}:${s.defaultPort}/graphql`);
  });

  it('builds from node:20-slim with npm ci and runs as a non-root user', () => {
    const dockerfile = readFileSync(join(ROOT, 'gateway/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    const user = /^USER (\S+)$/m.exec(dockerfile)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    // Everything the image copies exists.
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const src of (m[1] ?? '').split(/\s+/)) expect(existsSync(join(ROOT, src)), src).toBe(true);
    }
  });

  it('the compose tool resolves the same services (when installed)', () => {
    if (!cmd) return;
    const resolved = parseYaml(execFileSync(cmd[0] as string, [...cmd.slice(1), '-f', FILE, 'config'], { encoding: 'utf8', cwd: ROOT })) as { services: Record<string, unknown> };
    expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(services).sort());
  });
});
