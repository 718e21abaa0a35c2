import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../../../gateway/app.ts';
import { checkReferences, ConfigError, loadConfig, type GatewayConfigInput } from '../../../gateway/config/index.ts';
import { subgraphNamesIn } from '../../../gateway/config/supergraph-names.ts';
import { knownNames } from '../../../gateway/known-names.ts';

const route = (name: string) => ({ name, prefix: `/${name}`, targets: [{ url: 'http://127.0.0.1:1' }] });

/** The problems `checkReferences` finds in a config built from `overrides` (and `env`), with this gateway's known names. */
function problemsOf(overrides: GatewayConfigInput, env: NodeJS.ProcessEnv = {}): string[] {
  const config = loadConfig({ env, overrides });
  try {
    checkReferences(config, knownNames(config));
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('names in config must name something', () => {
  it('reads the subgraph names from the supergraph file', () => {
    expect(subgraphNamesIn('schema/supergraph.graphql')?.sort()).toEqual(['inventory', 'orders', 'products', 'reviews', 'users']);
    expect(() => subgraphNamesIn('schema/no-such-supergraph.graphql')).toThrow(/^Invalid gateway configuration:\n {2}- supergraph\.path: cannot read the supergraph schema\/no-such-supergraph\.graphql: ENOENT/);
  });

  it('accepts every kind of name that exists', () => {
    expect(
      problemsOf({
        routes: [route('notes')],
        subgraphs: { users: { url: 'http://127.0.0.1:1/graphql' } },
        upstreams: { users: { timeoutMs: 100 }, notes: { timeoutMs: 100 }, supergraph: { timeoutMs: 100 } },
        rateLimit: { routes: { notes: { limit: 1 }, mobile: { limit: 1 }, graphql: { limit: 1 } } },
        auth: { apiKeys: [{ id: 'k', hash: 'a'.repeat(64), consumer: 'c', routes: ['notes', 'web', '*'] }] },
      }),
    ).toEqual([]);
  });

  it('refuses an unknown upstream, naming the key, the known names and the closest one', () => {
    const [problem, ...more] = problemsOf({ routes: [route('notes')], upstreams: { usres: { timeoutMs: 100 } } });
    expect(more).toEqual([]);
    expect(problem).toMatch(/^upstreams\.usres: there is no upstream "usres" \(did you mean "users"\?\)/);
    expect(problem).toContain('inventory, orders, products, reviews, users');
    expect(problem).toContain('(notes)');
  });

  it('refuses an unknown subgraph, from the file or from SUBGRAPH_<NAME>_URL', () => {
    expect(problemsOf({ subgraphs: { userz: { url: 'http://127.0.0.1:1/graphql' } } })[0]).toMatch(
      /^subgraphs\.userz: there is no subgraph "userz" \(did you mean "users"\?\); the supergraph \(schema\/supergraph\.graphql\) has inventory, orders, products, reviews, users/,
    );
    const [fromEnv] = problemsOf({}, { SUBGRAPH_PRODUCS_URL: 'http://127.0.0.1:1/graphql' });
    expect(fromEnv).toMatch(/^subgraphs\.producs: .*did you mean "products".*SUBGRAPH_PRODUCS_URL/);
  });

  it('knows the subgraphs of the supergraph the config names, not of the default one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-names-'));
    const path = join(dir, 'supergraph.graphql');
    writeFileSync(path, 'enum join__Graph {\n  BILLING @join__graph(name: "billing", url: "http://127.0.0.1:1/graphql")\n}\n');
    expect(problemsOf({ supergraph: { path }, upstreams: { billing: { timeoutMs: 1 } } })).toEqual([]);
    expect(problemsOf({ supergraph: { path }, upstreams: { users: { timeoutMs: 1 } } })[0]).toMatch(/^upstreams\.users: .*subgraphs \(billing\)/);
  });

  it('refuses unknown routes in rate limits and API keys, listing REST routes and door routes', () => {
    const problems = problemsOf({
      routes: [route('notifications')],
      rateLimit: { routes: { nonexistent: { limit: 1 }, notifcations: { limit: 1 } } },
      auth: { apiKeys: [{ id: 'k', hash: 'b'.repeat(64), consumer: 'c', routes: ['notifications', 'mobil'] }] },
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe(
      'rateLimit.routes.nonexistent: there is no route "nonexistent"; routes are the REST routes (notifications) and the doors\' (graphql, mobile, web, admin)',
    );
    expect(problems[1]).toMatch(/^rateLimit\.routes\.notifcations: .*\(did you mean "notifications"\?\)/);
    expect(problems[2]).toMatch(/^auth\.apiKeys\.0\.routes\.1: there is no route "mobil" \(did you mean "mobile"\?\).*or "\*" for all$/);
  });

  it('does not guess a name that is far from every known one', () => {
    expect(problemsOf({ upstreams: { zzz: {} } })[0]).not.toContain('did you mean');
  });

  it('names supergraph.path when the supergraph does not parse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-names-'));
    const path = join(dir, 'supergraph.graphql');
    writeFileSync(path, 'enum join__Graph {');
    expect(problemsOf({ supergraph: { path } })[0]).toMatch(/^supergraph\.path: cannot read the supergraph .*Syntax Error/);
  });

  it('is checked by createGateway, so every way of starting refuses it', async () => {
    const config = loadConfig({ env: {}, overrides: { log: { level: 'silent' }, upstreams: { usres: {} } } });
    await expect(createGateway(config)).rejects.toThrow(/upstreams\.usres: there is no upstream "usres"/);
  });
});
