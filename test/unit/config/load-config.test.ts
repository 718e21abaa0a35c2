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

  it('reads a YAML config file named by GATEWAY_CONFIG and reports one that is missing', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'gwcfg-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'server:\n  port: 4555\nroutes:\n  - name: notes\n    prefix: /notes\n    targets: [{ url: "http://127.0.0.1:4010" }]\n');
    const config = loadConfig({ env: { GATEWAY_CONFIG: file } });
    expect(config.server.port).toBe(4555);
    expect(config.routes[0]?.stripPath).toBe(true);
    expect(problemsOf(() => loadConfig({ env: { GATEWAY_CONFIG: join(dir, 'missing.yaml') } }))[0]).toMatch(/^GATEWAY_CONFIG: cannot read/);
  });

  it('refuses two routes with one name', () => {
    const route = { name: 'a', prefix: '/a', targets: [{ url: 'http://127.0.0.1:1' }] };
    expect(problemsOf(() => loadConfig({ env: {}, overrides: { routes: [route, { ...route, prefix: '/b' }] } }))[0]).toMatch(/used twice/);
  });
});
