import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '../../../subgraphs/catalog.ts';
import { JWKS_PATH } from '../../../subgraphs/dev-idp/index.ts';
import { loadConfig } from '../../../gateway/config/index.ts';
import { devKeyIds, parseKeyList } from '../../../gateway/identity-signing/key-list.ts';
import {
  ROOT,
  composeTool,
  durationMs,
  gatewayReplicas,
  MISSING_TOOL,
  rawCompose,
  readDockerfile,
  resolvedCompose,
  type ComposeService,
} from '../../helpers/compose-file.ts';

const NGINX_CONF = 'gateway/deploy/nginx.conf';
/** start.ts ends a shutdown that outlives shutdownDelayMs + drainTimeoutMs by this much. */
const CLI_SHUTDOWN_MARGIN_MS = 5_000;

/**
 * docker-compose.yml without a Docker engine, as the compose tool resolves it
 * (`docker-compose config`; a missing tool fails these tests, never skips them): every
 * service it names exists in this repository, runs in production mode, hardened, and the
 * gateway replicas, the load balancer and the demo IdP agree with each other.
 * test/integration/container/ runs the same services from a read-only copy of the image.
 */
describe('docker-compose.yml', () => {
  const services = (): Record<string, ComposeService> => resolvedCompose().services;
  const service = (name: string): ComposeService => {
    const s = services()[name];
    if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
    return s;
  };
  const built = (): string[] => Object.keys(services()).filter((n) => services()[n]?.build !== undefined);
  const replicas = (): string[] => gatewayReplicas(resolvedCompose());
  const gatewayConfig = () => loadConfig({ env: service(replicas()[0] ?? '').environment });

  it('is valid for the compose tool (`docker-compose config`, which exits non-zero on an invalid file)', () => {
    if (!composeTool()) throw new Error(MISSING_TOOL);
    // The file as written and as resolved name the same services (nothing lost to a merge key).
    expect(Object.keys(services()).sort()).toEqual(Object.keys(rawCompose().services).sort());
  });

  it('runs every demo subgraph and REST service alone, on its own port, in production, accepting the gateways’ signing key', () => {
    const gatewayKeys = service(replicas()[0] ?? '').environment.IDENTITY_SIGNING_KEYS ?? '';
    for (const s of SERVICES) {
      const svc = service(s.name);
      expect(svc.command).toEqual(['node', '--import', 'tsx', `subgraphs/${s.name}/main.ts`]);
      expect(svc.environment).toMatchObject({ HOST: '0.0.0.0', PORT: String(s.defaultPort), NODE_ENV: 'production' });
      expect(svc.environment.IDENTITY_SIGNING_KEYS, s.name).toBe(gatewayKeys);
      expect(JSON.stringify(svc.healthcheck?.test)).toContain(`127.0.0.1:${s.defaultPort}/health`);
    }
    const { keys, problems } = parseKeyList(gatewayKeys);
    expect(problems).toEqual([]);
    // The demo key is labelled as public in the file, but it is not the dev key production refuses.
    expect(devKeyIds(keys)).toEqual([]);
  });

  it('runs every service built from the image read-only, as a non-root user, without capabilities or tmpfs', () => {
    const user = readDockerfile().user;
    expect(built().length).toBeGreaterThan(SERVICES.length);
    for (const name of built()) {
      const svc = service(name);
      expect(svc.read_only, name).toBe(true);
      expect(svc.user, name).toBe(user);
      expect(svc.cap_drop, name).toEqual(['ALL']);
      expect(svc.security_opt, name).toContain('no-new-privileges:true');
      // Nothing writes at run time (the container test watches TMPDIR): no writable mount.
      expect(svc.tmpfs, name).toBeUndefined();
      expect(svc.volumes, name).toBeUndefined();
      if (name !== 'dev-idp') expect(svc.ports, `${name} is reached through the stack, not from the host`).toBeUndefined();
    }
    const lb = service('lb');
    expect(lb.read_only).toBe(true);
    expect(nonRoot(lb.user)).toBe(true);
    expect(lb.cap_drop).toEqual(['ALL']);
    expect(lb.security_opt).toContain('no-new-privileges:true');
  });

  it('names only things that exist: entry files, build contexts, Dockerfiles, config files, bind mounts', () => {
    const written = rawCompose().services;
    for (const [name, svc] of Object.entries(written)) {
      expect(svc.build !== undefined || svc.image !== undefined, `${name}: build or image`).toBe(true);
      if (svc.build) {
        const build = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
        const context = join(ROOT, build.context ?? '.');
        expect(existsSync(context), `${name}: build context ${context}`).toBe(true);
        expect(existsSync(join(context, build.dockerfile ?? 'Dockerfile')), `${name}: Dockerfile`).toBe(true);
      }
      for (const part of (svc.command ?? []).filter((p) => p.endsWith('.ts'))) expect(existsSync(join(ROOT, part)), `${name}: ${part}`).toBe(true);
      for (const volume of svc.volumes ?? []) {
        const source = String(volume).split(':')[0] ?? '';
        expect(source.startsWith('./') && existsSync(join(ROOT, source)), `${name}: bind mount ${String(volume)}`).toBe(true);
      }
      expect(svc.healthcheck?.test, `${name}: healthcheck`).toBeDefined();
      for (const dep of Object.keys(svc.depends_on)) expect(written[dep], `${name} depends on ${dep}`).toBeDefined();
    }
    for (const name of replicas()) expect(existsSync(join(ROOT, service(name).environment.GATEWAY_CONFIG ?? ''))).toBe(true);
  });

  it('runs two gateway replicas of one configuration in production, wired to every subgraph, Redis, the demo IdP and the OTLP collector', () => {
    expect(replicas()).toEqual(['gateway-1', 'gateway-2']);
    const [first, second] = replicas().map((n) => service(n));
    const { OTEL_RESOURCE_ATTRIBUTES: a, ...env } = first?.environment ?? {};
    const { OTEL_RESOURCE_ATTRIBUTES: b, ...env2 } = second?.environment ?? {};
    expect(env2).toEqual(env);
    expect([a, b]).toEqual(['service.instance.id=gateway-1', 'service.instance.id=gateway-2']);
    expect(first?.command).toEqual(['node', '--import', 'tsx', 'gateway/cli/start.ts']);
    expect(env.NODE_ENV).toBe('production');

    for (const s of SERVICES.filter((x) => x.kind === 'subgraph')) {
      expect(env[`SUBGRAPH_${s.name.toUpperCase()}_URL`]).toBe(`http://${s.name}:${s.defaultPort}/graphql`);
    }
    const redis = new URL(env.REDIS_URL ?? '');
    expect(service(redis.hostname).image).toMatch(/^redis:/);
    const otlp = new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
    expect(services()[otlp.hostname], 'the OTLP endpoint is a service of the stack').toBeDefined();
    for (const name of replicas()) {
      const deps = service(name).depends_on;
      for (const dep of [...SERVICES.map((s) => s.name), 'dev-idp', 'redis']) expect(deps[dep]?.condition, `${name} waits for ${dep}`).toBe('service_healthy');
      expect(service(name).ports, `${name} is reached through the load balancer`).toBeUndefined();
      expect(service(name).networks.sort()).toEqual(['backend', 'edge']);
    }

    // The gateway would start with exactly this environment: production refuses the dev
    // keys (auth.devKeys, the dev signing key), so none is in use.
    const config = gatewayConfig();
    expect(config.auth.devKeys).toBe(false);
    expect(devKeyIds(config.identitySigning.keys)).toEqual([]);
    expect(config.identitySigning.keyId).toBe(env.IDENTITY_SIGNING_KEY_ID);
    expect(config.redis.url).toBe(env.REDIS_URL);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.rateLimit.trustedProxies.length, 'nginx’s X-Forwarded-For is believed').toBeGreaterThan(0);
    for (const s of SERVICES.filter((x) => x.kind === 'rest')) {
      const route = config.routes.find((r) => r.name === s.name);
      expect(route?.targets.map((t) => t.url)).toEqual([`http://${s.name}:${s.defaultPort}`]);
    }
    for (const s of SERVICES.filter((x) => x.kind === 'subgraph')) expect(config.subgraphs[s.name]?.url).toBe(`http://${s.name}:${s.defaultPort}/graphql`);
  });

  it('trusts tokens of the demo IdP of the stack: its JWKS, issuer and audience', () => {
    const idp = service('dev-idp');
    expect(idp.command).toEqual(['node', '--import', 'tsx', 'subgraphs/dev-idp/main.ts']);
    expect(idp.environment.NODE_ENV).toBe('production');
    const { auth } = gatewayConfig();
    const jwks = new URL(auth.jwks.url ?? '');
    expect(jwks.hostname).toBe('dev-idp');
    expect(jwks.port).toBe(idp.environment.PORT);
    expect(jwks.pathname).toBe(JWKS_PATH);
    expect(auth.issuer).toBe(idp.environment.DEV_IDP_ISSUER);
    expect(auth.audience).toBe(idp.environment.DEV_IDP_AUDIENCE);
    // Published for the host's curl, on loopback only.
    expect(JSON.stringify(rawCompose().services['dev-idp']?.ports)).toBe(JSON.stringify([`127.0.0.1:${idp.environment.PORT}:${idp.environment.PORT}`]));
  });

  it('puts nginx (official image) in front of every replica, with readiness and limits that agree with the gateway’s', () => {
    const lb = service('lb');
    expect(lb.image).toMatch(/^nginx:\d+\.\d+/);
    for (const name of replicas()) expect(lb.depends_on[name]?.condition).toBe('service_healthy');
    expect(lb.networks).toEqual(['edge']);
    expect(JSON.stringify(rawCompose().services.lb?.volumes)).toContain(`./${NGINX_CONF}:/etc/nginx/nginx.conf:ro`);

    const conf = readFileSync(join(ROOT, NGINX_CONF), 'utf8').replace(/#.*$/gm, '');
    const upstream = /upstream\s+(\S+)\s*\{([^}]*)\}/.exec(conf);
    const servers = [...(upstream?.[2] ?? '').matchAll(/^\s*server\s+([^\s;]+)([^;]*);/gm)];
    const config = gatewayConfig();
    expect(servers.map((m) => m[1])).toEqual(replicas().map((n) => `${n}:${config.server.port}`));
    // Re-resolved while running, so a recreated replica's new address is used.
    for (const m of servers) expect(m[2]).toMatch(/\bresolve\b/);
    expect([...conf.matchAll(/proxy_pass\s+http:\/\/([^;\s]+);/g)].map((m) => m[1])).toEqual([upstream?.[1], upstream?.[1]]);
    expect(conf).toMatch(/location = \/readyz \{[^}]*proxy_next_upstream[^;]*http_503/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);

    const listen = Number(/^\s*listen\s+(\d+);/m.exec(conf)?.[1]);
    expect(JSON.stringify(rawCompose().services.lb?.ports)).toContain(`:${listen}"`);
    expect(JSON.stringify(lb.healthcheck?.test)).toContain(`http://127.0.0.1:${listen}/readyz`);
    const [, size = '0', unit = ''] = /client_max_body_size\s+(\d+)([kmg]?);/.exec(conf) ?? [];
    expect(Number(size) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit] ?? 0)).toBeGreaterThanOrEqual(config.server.passthroughBodyLimitBytes);
    expect(Number(/proxy_read_timeout\s+(\d+)s;/.exec(conf)?.[1]) * 1000).toBeGreaterThan(config.server.requestTimeoutMs);
  });

  it('gives each replica its shutdown delay and drain before Docker kills it', () => {
    const config = gatewayConfig();
    expect(config.server.shutdownDelayMs).toBeGreaterThan(0);
    for (const name of replicas()) {
      const grace = durationMs(service(name).stop_grace_period ?? '10s');
      expect(grace, name).toBeGreaterThanOrEqual(config.server.shutdownDelayMs + config.server.drainTimeoutMs + CLI_SHUTDOWN_MARGIN_MS);
    }
  });

  it('builds from node:20-slim with npm ci, runs as a numeric non-root user in production, and writes nothing at run time', () => {
    const dockerfile = readDockerfile();
    expect(dockerfile.from).toEqual(['node:20-slim']);
    expect(readFileSync(join(ROOT, 'gateway/Dockerfile'), 'utf8')).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile.user).toMatch(/^\d+:\d+$/);
    expect(nonRoot(dockerfile.user)).toBe(true);
    expect(dockerfile.env).toMatchObject({ NODE_ENV: 'production', TSX_DISABLE_CACHE: '1' });
    for (const { sources } of dockerfile.copies) for (const src of sources) expect(existsSync(join(ROOT, src)), src).toBe(true);
    expect(readFileSync(join(ROOT, 'gateway/Dockerfile.dockerignore'), 'utf8')).toMatch(/^\*\*\/node_modules$/m);
  });
});

function nonRoot(user: string | undefined): boolean {
  if (!user) return false;
  const uid = user.split(':')[0] ?? '';
  return uid !== '' && uid !== 'root' && uid !== '0';
}
