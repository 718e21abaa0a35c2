import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig, type GatewayConfigInput } from '../../../gateway/config/index.ts';

/**
 * The committed JSON Schema is what an editor validates a config file with: it must take
 * what the loader takes and flag what the loader refuses, including inside the per-upstream
 * and per-route policy overrides it describes by reference.
 */
describe('docs/config.schema.json, as an editor uses it', () => {
  const schema: unknown = JSON.parse(readFileSync('docs/config.schema.json', 'utf8'));
  // Editors check `format` loosely or not at all; the loader checks URLs itself.
  const validate = new Ajv({ allErrors: true, formats: { uri: true, date: /^\d{4}-\d{2}-\d{2}$/, 'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/ } }).compile(schema as object);
  const loads = (config: unknown): boolean => {
    try {
      loadConfig({ env: {}, overrides: config as GatewayConfigInput });
      return true;
    } catch {
      return false;
    }
  };
  const route = { name: 'notes', prefix: '/notes', targets: [{ url: 'http://127.0.0.1:4010' }] };

  it('accepts the shipped docker config, as the loader does', () => {
    const docker: unknown = parseYaml(readFileSync('gateway/config/docker.yaml', 'utf8'));
    expect(validate(docker), JSON.stringify(validate.errors)).toBe(true);
    expect(loads(docker)).toBe(true);
  });

  it('agrees with the loader on configs it must accept and on typos it must flag', () => {
    const cases: Array<[string, unknown, boolean]> = [
      ['empty', {}, true],
      ['a policy override', { upstreams: { users: { timeoutMs: 500, retry: { attempts: 1 } } } }, true],
      ['a route with its own policy and access', { routes: [{ ...route, policy: { breaker: { openMs: 100 } }, access: { kind: 'roles', anyOf: ['admin'] } }] }, true],
      ['a door limit with tiers', { rateLimit: { doors: { rest: { limit: 5, tiers: { premium: { limit: 50 } } } } } }, true],
      ['an unknown top-level key', { sever: {} }, false],
      ['an unknown server key', { server: { prot: 4000 } }, false],
      ['a typo inside an upstream override', { upstreams: { users: { retry: { attemps: 2 } } } }, false],
      ['a typo inside a route policy', { routes: [{ ...route, policy: { timeout: 5 } }] }, false],
      ['a port out of range', { server: { port: 70_000 } }, false],
      ['a route without targets', { routes: [{ name: 'notes', prefix: '/notes', targets: [] }] }, false],
      ['an access requirement of no kind', { auth: { doors: { rest: { kind: 'everyone' } } } }, false],
      ['an unknown tier', { rateLimit: { fallbackTier: 'gold' } }, false],
    ];
    for (const [what, config, valid] of cases) {
      expect(validate(config), `${what}: ${JSON.stringify(validate.errors)}`).toBe(valid);
      expect(loads(config), `${what} (loader)`).toBe(valid);
    }
  });
});
