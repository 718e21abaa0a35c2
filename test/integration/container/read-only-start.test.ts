import { readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { startDevIdp } from '../../../subgraphs/dev-idp/index.ts';
import { durationMs, gatewayReplicas, readDockerfile, resolvedCompose, type ComposeService } from '../../helpers/compose-file.ts';
import { freePort, waitReady } from '../../helpers/net.ts';
import { readOnlyAppCopy, type ReadOnlyApp } from '../../helpers/read-only-app.ts';
import { requireSharedRedis, uniqueKeyPrefix } from '../../helpers/redis-shared.ts';
import { startProcess, type ServiceProcess } from '../../helpers/service-process.ts';

/**
 * The container's file-system and production expectations, tested without an engine: every
 * node service of docker-compose.yml (the demo IdP, the subgraphs and REST services, a
 * gateway replica) runs from a read-only copy of what gateway/Dockerfile copies, as an
 * unprivileged user, with the Dockerfile's ENV and the compose file's own command and
 * environment (as `docker-compose config` resolves them: NODE_ENV=production, the demo
 * signing keys, the JWKS of the demo IdP). Only addresses change: compose's service names
 * become the loopback ports these processes got, Redis is the shared test Redis, and the
 * OTLP collector is left out (tracing has its own tests).
 */

const START_MS = 90_000;
/** Env values that are identifiers, not addresses: the issuer is the same string on both sides. */
const IDENTIFIERS = new Set(['JWT_ISSUER', 'DEV_IDP_ISSUER']);
const URL_VALUE = /^[a-z][a-z0-9+.-]*:\/\//i;
const record = z.record(z.string(), z.unknown());

describe('the compose stack from a read-only copy of the image, as a non-root user, in production', () => {
  const compose = resolvedCompose();
  const dockerfile = readDockerfile();
  const replica = gatewayReplicas(compose)[0] ?? '';
  const gatewayService = compose.services[replica];
  let app: ReadOnlyApp;
  let before: string[];
  const processes: ServiceProcess[] = [];
  const addresses = new Map<string, string>();
  let gateway: ServiceProcess;
  let base: string;

  /** The container's environment for `service`, with compose's addresses moved to loopback. */
  const envFor = (service: ComposeService, port: string): Record<string, string> => {
    const env: Record<string, string> = { ...dockerfile.env };
    for (const [key, value] of Object.entries(service.environment)) {
      if (key.startsWith('OTEL_')) continue;
      env[key] = IDENTIFIERS.has(key) ? value : toLoopback(value, addresses);
    }
    // The container's user has no writable home; TMPDIR is watched to show nothing is written.
    return { ...env, HOST: '127.0.0.1', PORT: port, PATH: process.env.PATH ?? '', HOME: '/nonexistent', TMPDIR: app.tmp };
  };

  beforeAll(async () => {
    const redisUrl = await requireSharedRedis();
    addresses.set('redis', redisUrl);
    app = readOnlyAppCopy(dockerfile);
    before = snapshot(app.dir);

    // Every service built from the image, but the gateways: started together, each on a free port.
    const upstreams = Object.entries(compose.services).filter(([name, s]) => s.build !== undefined && !gatewayReplicas(compose).includes(name));
    const started = await Promise.all(
      upstreams.map(async ([name, service]) => {
        const p = startProcess(name, service.command ?? [], { cwd: app.dir, env: envFor(service, '0'), user: app.user });
        processes.push(p);
        const m = await p.waitFor(/ listening on (http:\/\/\S+)/, START_MS);
        return [name, new URL(m[1] ?? '').origin] as const;
      }),
    );
    for (const [name, origin] of started) addresses.set(name, origin);

    if (!gatewayService) throw new Error('docker-compose.yml has no gateway service');
    const env = envFor(gatewayService, String(await freePort()));
    // Its config file, with the routes' addresses moved as the env's were, and a Redis key
    // prefix of its own (the test Redis is shared by parallel suites).
    const config = record.parse(mapStrings(parseYaml(readFileSync(join(app.dir, env.GATEWAY_CONFIG ?? ''), 'utf8')), (s) => toLoopback(s, addresses)));
    const rateLimit = record.parse(config.rateLimit ?? {});
    config.rateLimit = { ...rateLimit, redis: { ...record.parse(rateLimit.redis ?? {}), keyPrefix: uniqueKeyPrefix('container') } };
    const configFile = join(app.root, 'gateway-config.json');
    writeFileSync(configFile, JSON.stringify(config));
    chmodSync(configFile, 0o444);
    env.GATEWAY_CONFIG = configFile;
    const addressed = [...Object.entries(env).filter(([k]) => !IDENTIFIERS.has(k)).map(([, v]) => v), ...collectStrings(config)];
    const unmoved = addressed.filter((v) => URL_VALUE.test(v) && compose.services[new URL(v).hostname] !== undefined);
    if (unmoved.length > 0) throw new Error(`compose addresses this test does not provide: ${unmoved.join(', ')}`);

    gateway = startProcess(replica, gatewayService.command ?? [], { cwd: app.dir, env, user: app.user });
    processes.push(gateway);
    base = `http://127.0.0.1:${env.PORT}`;
    await waitReady(`${base}/readyz`, START_MS).catch((error: unknown) => {
      throw new Error(`${String(error)}; gateway stderr: ${gateway.stderr().slice(-2000)}`);
    });
  }, 2 * START_MS);

  afterAll(async () => {
    for (const p of processes) p.kill();
    app?.remove();
  });

  it('runs every service as the unprivileged user, with NODE_ENV=production, on its own, with nothing on stderr', () => {
    expect(dockerfile.env.NODE_ENV).toBe('production');
    const built = Object.keys(compose.services).filter((n) => compose.services[n]?.build !== undefined);
    expect(processes.map((p) => p.name).sort()).toEqual(built.filter((n) => n === replica || !gatewayReplicas(compose).includes(n)).sort());
    for (const p of processes) {
      expect(p.child.exitCode, p.name).toBeNull();
      expect(p.stderr(), p.name).toBe('');
      if (app.user) expect(statusUid(p.child.pid ?? 0), p.name).toBe(app.user.uid);
    }
  });

  it('is ready and answers GraphQL with a token the demo IdP minted over HTTP', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const token = await mint({ sub: 'u1', tier: 'premium' });
    // The users subgraph answers only a request the gateway signed with the compose key.
    const me = await graphql('/graphql', '{ me { id name } }', token);
    expect(me).toEqual({ status: 200, body: { data: { me: { id: 'u1', name: 'Ada Lovelace' } } } });

    // A BFF door: users and orders (subgraphs) and notifications (a REST route of docker.yaml).
    const home = await graphql('/bff/mobile/graphql', '{ home { user { name } activeOrders { id } unreadNotifications } }', token);
    expect(home.status).toBe(200);
    const data = (home.body as { data?: { home?: { user?: { name?: string }; activeOrders?: unknown[]; unreadNotifications?: number } } }).data;
    expect(data?.home?.user?.name).toBe('Ada Lovelace');
    expect(data?.home?.activeOrders?.length).toBeGreaterThan(0);
    expect(typeof data?.home?.unreadNotifications).toBe('number');
  });

  it('refuses what production refuses: a token of another key, no token at a BFF door, introspection', async () => {
    const env = compose.services['dev-idp']?.environment ?? {};
    // Same issuer and audience, another key: only the stack's own IdP is trusted.
    const stranger = await startDevIdp({ port: 0, issuer: env.DEV_IDP_ISSUER, audience: env.DEV_IDP_AUDIENCE });
    try {
      const forged = await graphql('/bff/mobile/graphql', '{ home { user { name } } }', await stranger.mint({ sub: 'u1' }));
      expect(forged.status).toBe(401);
      expect(errorCodes(forged.body)).toEqual(['UNAUTHENTICATED']);
    } finally {
      await stranger.close();
    }
    const anonymous = await graphql('/bff/mobile/graphql', '{ home { user { name } } }');
    expect(anonymous.status).toBe(401);
    expect(errorCodes(anonymous.body)).toEqual(['UNAUTHENTICATED']);

    // Off unless configured when NODE_ENV=production: the env reached the process.
    const introspection = await graphql('/graphql', '{ __schema { queryType { name } } }');
    expect(JSON.stringify(introspection.body)).toContain('"validationErrorCode":"INTROSPECTION_DISABLED"');
  });

  it('writes nothing: the temp dir is empty and the app copy is as it was', () => {
    expect(readdirSync(app.tmp)).toEqual([]);
    expect(snapshot(app.dir)).toEqual(before);
  });

  it('on SIGTERM turns /readyz 503 while it keeps serving, then exits 0 within stop_grace_period', async () => {
    const grace = durationMs(gatewayService?.stop_grace_period ?? '10s');
    const delay = Number(gatewayService?.environment.SHUTDOWN_DELAY_MS ?? '0');
    expect(delay).toBeGreaterThan(0);
    gateway.child.kill('SIGTERM');
    // Bounded poll: readiness must drop within the shutdown delay, while the listener still accepts.
    let readiness = 200;
    for (let i = 0; i < 50 && readiness === 200; i++) {
      readiness = (await fetch(`${base}/readyz`)).status;
      if (readiness === 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(readiness).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await gateway.exit(grace)).toBe(0);
    const services = processes.filter((p) => p !== gateway);
    const codes = await Promise.all(services.map((p) => p.stop('SIGTERM', 10_000)));
    expect(codes).toEqual(services.map(() => 0));
  }, 60_000);

  async function mint(request: Record<string, string>): Promise<string> {
    const res = await fetch(`${addresses.get('dev-idp') ?? ''}/token`, { method: 'POST', headers: { accept: 'application/jwt' }, body: new URLSearchParams(request) });
    expect(res.status).toBe(200);
    return res.text();
  }

  async function graphql(path: string, query: string, token?: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  }
});

function errorCodes(body: unknown): unknown[] {
  const errors = body !== null && typeof body === 'object' && 'errors' in body && Array.isArray(body.errors) ? body.errors : [];
  return errors.map((e: unknown) => (e !== null && typeof e === 'object' && 'extensions' in e && e.extensions !== null && typeof e.extensions === 'object' && 'code' in e.extensions ? e.extensions.code : undefined));
}

/** A compose address (`http://users:4001/graphql`) at the loopback origin its service got. */
function toLoopback(value: string, addresses: ReadonlyMap<string, string>): string {
  if (!URL_VALUE.test(value)) return value;
  const url = new URL(value);
  const origin = addresses.get(url.hostname);
  if (!origin) return value;
  const target = new URL(origin);
  url.host = target.host;
  return url.href;
}

function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(collectStrings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(collectStrings);
  return [];
}

/** Every path under `dir` with its size and mtime (symlinks not followed). */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isSymbolicLink()) {
        out.push(`${relative(dir, full)} -> link`);
        continue;
      }
      const stat = statSync(full);
      out.push(`${relative(dir, full)} ${stat.size} ${stat.mtimeMs} ${(stat.mode & 0o777).toString(8)}`);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** The real uid a process runs as (Linux /proc). */
function statusUid(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:'));
  return Number(line?.split(/\s+/)[1]);
}
