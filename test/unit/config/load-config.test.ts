import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, policyFor } from '../../../gateway/config/index.ts';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has working defaults with nothing set', () => {
    const config = loadConfig({ env: {} });
    expect(config.server.port).toBe(4000);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.redis.url).toBeUndefined();
    expect(config.upstreamDefaults.retry.attempts).toBe(3);
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('reads env vars and names the key and the variable when one is bad', () => {
    expect(loadConfig({ env: { PORT: '5050', REDIS_URL: 'redis://127.0.0.1:6379' } }).server.port).toBe(5050);
    const problems = problemsOf(() => loadConfig({ env: { PORT: 'eighty' } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^server\.port \(env PORT\): /);
    expect(problemsOf(() => loadConfig({ env: { PORT: '70000' } }))[0]).toMatch(/^server\.port \(env PORT\)/);
    expect(problemsOf(() => loadConfig({ env: { REDIS_URL: 'http://x' } }))[0]).toMatch(/^redis\.url \(env REDIS_URL\)/);
  });

  it('rejects unknown keys, naming them', () => {
    const problems = problemsOf(() => loadConfig({ env: {}, overrides: { server: { prot: 1 } } as never }));
    expect(problems[0]).toMatch(/^server: .*prot/);
  });

  it('routes subgraph URLs from SUBGRAPH_<NAME>_URL', () => {
    const config = loadConfig({ env: { SUBGRAPH_USERS_URL: 'http://127.0.0.1:9/graphql' } });
    expect(config.subgraphs.users?.url).toBe('http://127.0.0.1:9/graphql');
  });

  it('merges per-upstream overrides over the defaults and validates them at load', () => {
    const config = loadConfig({ env: {}, overrides: { upstreams: { users: { timeoutMs: 250, retry: { attempts: 1 } } } } });
    expect(policyFor(config, 'users').timeoutMs).toBe(250);
    expect(policyFor(config, 'users').retry.attempts).toBe(1);
    expect(policyFor(config, 'users').retry.baseDelayMs).toBe(config.upstreamDefaults.retry.baseDelayMs);
    expect(policyFor(config, 'products')).toBe(config.upstreamDefaults);
    const problems = problemsOf(() => loadConfig({ env: {}, overrides: { upstreams: { users: { retry: { attempts: 0 } } } } }));
    expect(problems[0]).toMatch(/^upstreams\.users\.retry\.attempts: /);
  });

  it('reads a YAML config file named by GATEWAY_CONFIG and reports one that is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gwcfg-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'server:\n  port: 4555\nroutes:\n  - name: notes\n    prefix: /notes\n    targets: [{ url: "http://127.0.0.1:4010" }]\n');
    const config = loadConfig({ env: { GATEWAY_CONFIG: file } });
    expect(config.server.port).toBe(4555);
    expect(config.routes[0]?.stripPath).toBe(true);
    expect(problemsOf(() => loadConfig({ env: { GATEWAY_CONFIG: join(dir, 'missing.yaml') } }))[0]).toMatch(/^GATEWAY_CONFIG: cannot read/);
  });

  it('layers defaults < base < file < env < overrides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gwcfg-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'server:\n  port: 4600\n  host: 127.0.0.2\nsubgraphs:\n  users: { url: "http://127.0.0.1:3/graphql" }\n');
    const base = { server: { port: 4500, bodyLimitBytes: 99 }, subgraphs: { users: { url: 'http://127.0.0.1:1/graphql' }, orders: { url: 'http://127.0.0.1:2/graphql' } } };
    const env = { GATEWAY_CONFIG: file, PORT: '4700', SUBGRAPH_ORDERS_URL: 'http://127.0.0.1:4/graphql' };
    const config = loadConfig({ env, base });
    expect(config.server.port).toBe(4700);
    expect(config.server.host).toBe('127.0.0.2');
    expect(config.server.bodyLimitBytes).toBe(99);
    expect(config.server.requestTimeoutMs).toBe(30_000);
    expect(config.subgraphs.users?.url).toBe('http://127.0.0.1:3/graphql');
    expect(config.subgraphs.orders?.url).toBe('http://127.0.0.1:4/graphql');
    expect(loadConfig({ env, base, overrides: { server: { port: 4800 } } }).server.port).toBe(4800);
  });

  it('merges routes by name across sources: a file adds routes to the base and replaces the ones it names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gwcfg-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'routes:\n  - { name: extra, prefix: /extra, targets: [{ url: "http://127.0.0.1:5" }] }\n  - { name: b, prefix: /b2, targets: [{ url: "http://127.0.0.1:6" }] }\n');
    const route = (name: string, port: number) => ({ name, prefix: `/${name}`, targets: [{ url: `http://127.0.0.1:${port}` }] });
    const config = loadConfig({ env: { GATEWAY_CONFIG: file }, base: { routes: [route('a', 1), route('b', 2)] } });
    expect(config.routes.map((r) => [r.name, r.prefix, r.targets[0]?.url])).toEqual([
      ['a', '/a', 'http://127.0.0.1:1'],
      ['extra', '/extra', 'http://127.0.0.1:5'],
      ['b', '/b2', 'http://127.0.0.1:6'],
    ]);
  });

  it('refuses two routes with one name', () => {
    const route = { name: 'a', prefix: '/a', targets: [{ url: 'http://127.0.0.1:1' }] };
    expect(problemsOf(() => loadConfig({ env: {}, overrides: { routes: [route, { ...route, prefix: '/b' }] } }))[0]).toMatch(/used twice/);
  });
});
