import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS, type Principal } from '../../../../gateway/context/principal.ts';
import { decide } from '../../../../gateway/graphql/authorization/decide.ts';
import { gatewaySupportedFeatures, supergraphForApolloGateway } from '../../../../gateway/graphql/authorization/features.ts';
import { readRequirements, UnenforceableSupergraphError } from '../../../../gateway/graphql/authorization/requirements.ts';

const COMMITTED = readFileSync(new URL('../../../../schema/supergraph.graphql', import.meta.url), 'utf8');

const LINK = '@link(url: "https://specs.apollo.dev/link/v1.0")';
const schemaWith = (links: string, types: string) => `schema ${LINK} ${links} { query: Query }\n${types}`;

describe('reading @authenticated / @requiresScopes from a supergraph', () => {
  it('reads the committed supergraph: what each field asks, each requirement once', () => {
    const r = readRequirements(COMMITTED);
    expect(r.all).toEqual([{ kind: 'authenticated' }, { kind: 'scopes', anyOf: [['users:read:email']] }, { kind: 'scopes', anyOf: [['users:read:phone']] }]);
    expect(Object.fromEntries(r.onField)).toEqual({
      'Query.orders': [{ kind: 'authenticated' }],
      'Query.me': [{ kind: 'authenticated' }],
      'User.email': [{ kind: 'scopes', anyOf: [['users:read:email']] }],
      'User.phone': [{ kind: 'scopes', anyOf: [['users:read:phone']] }],
    });
    // Interned: the two @authenticated fields share one requirement, decided once per request.
    expect(r.onField.get('Query.me')?.[0]).toBe(r.onField.get('Query.orders')?.[0]);
    expect(r.onType.size).toBe(0);
  });

  it('resolves names through the links: `as`, a renamed import, a renamed link spec; an unlinked name means nothing', () => {
    const sdl = `schema @lnk(url: "https://specs.apollo.dev/link/v1.0", as: "lnk")
        @lnk(url: "https://specs.apollo.dev/authenticated/v0.1", as: "signedIn", for: SECURITY)
        @lnk(url: "https://specs.apollo.dev/requiresScopes/v0.1", import: [{ name: "@requiresScopes", as: "@scoped" }], for: SECURITY)
        { query: Query }
      type Query { a: Secret @signedIn b: String @scoped(scopes: [["x", "y"], ["z"]]) c: String @authenticated @requiresScopes(scopes: [["q"]]) }
      type Secret @signedIn { x: String }
      enum Level @scoped(scopes: [["levels"]]) { LOW }`;
    const r = readRequirements(sdl);
    expect(Object.fromEntries(r.onField)).toEqual({ 'Query.a': [{ kind: 'authenticated' }], 'Query.b': [{ kind: 'scopes', anyOf: [['x', 'y'], ['z']] }] });
    expect(Object.fromEntries(r.onType)).toEqual({ Secret: [{ kind: 'authenticated' }], Level: [{ kind: 'scopes', anyOf: [['levels']] }] });
  });

  it('a version it cannot enforce, or scopes that are not lists of strings, make the supergraph unenforceable (never open)', () => {
    expect(() => readRequirements(schemaWith('@link(url: "https://specs.apollo.dev/authenticated/v0.2")', 'type Query { a: String }'))).toThrow(UnenforceableSupergraphError);
    expect(() =>
      readRequirements(schemaWith('@link(url: "https://specs.apollo.dev/requiresScopes/v0.1")', 'type Query { a: String @requiresScopes(scopes: ["flat"]) }')),
    ).toThrow(/scopes must be a list of lists of strings/);
  });

  it('no links: no requirements', () => {
    expect(readRequirements(schemaWith('', 'type Query { a: String @authenticated }')).all).toEqual([]);
  });
});

describe('deciding a requirement for a caller', () => {
  const user = (scopes: string[]): Principal => ({ kind: 'user', subject: 'u1', scopes, roles: [], tier: 'standard' });
  const consumer = (scopes: string[]): Principal => ({ kind: 'consumer', consumer: 'acme', scopes, roles: [], tier: 'standard' });
  const dnf = { kind: 'scopes', anyOf: [['a', 'b'], ['c']] } as const;

  it('@requiresScopes(scopes: [[a, b], [c]]) is (a AND b) OR c', () => {
    expect(decide(dnf, user(['a', 'b']))).toBeUndefined();
    expect(decide(dnf, user(['c']))).toBeUndefined();
    expect(decide(dnf, consumer(['b', 'c', 'x']))).toBeUndefined();
    expect(decide(dnf, user(['a']))).toMatchObject({ code: 'FORBIDDEN', reason: 'insufficient_scope', extensions: { requiredScopes: [['a', 'b'], ['c']] } });
    expect(decide(dnf, user([]))?.code).toBe('FORBIDDEN');
  });

  it('anonymous is UNAUTHENTICATED, for @authenticated and for scopes alike; any verified caller is authenticated', () => {
    expect(decide({ kind: 'authenticated' }, ANONYMOUS)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'missing_credentials' });
    expect(decide(dnf, ANONYMOUS)?.code).toBe('UNAUTHENTICATED');
    expect(decide({ kind: 'authenticated' }, user([]))).toBeUndefined();
    expect(decide({ kind: 'authenticated' }, consumer([]))).toBeUndefined();
  });
});

describe('the supergraph as @apollo/gateway is handed it', () => {
  it('the enforced features lose their SECURITY purpose and nothing else changes', () => {
    const served = supergraphForApolloGateway(COMMITTED);
    expect(served).toBe(
      COMMITTED.replace('@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)', '@link(url: "https://specs.apollo.dev/authenticated/v0.1")').replace(
        '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
        '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1")',
      ),
    );
    // Stock federation refuses the committed file (SECURITY features it does not enforce) and
    // takes the served one; both have the same API schema, and the directives still read the same.
    expect(() => Supergraph.build(COMMITTED)).toThrow(/is for: SECURITY but is unsupported/);
    const api = (sdl: string, features?: Set<string>) => Supergraph.build(sdl, features ? { supportedFeatures: features } : {}).apiSchema().toString();
    expect(api(served)).toBe(api(COMMITTED, gatewaySupportedFeatures()));
    expect(readRequirements(served)).toEqual(readRequirements(COMMITTED));
  });

  it('a SECURITY feature this gateway does not enforce keeps its purpose, so the gateway refuses it', () => {
    const policy = COMMITTED.replace('{\n  query: Query', '@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)\n{\n  query: Query');
    expect(supergraphForApolloGateway(policy)).toContain('@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)');
    expect(() => Supergraph.build(supergraphForApolloGateway(policy))).toThrow(/policy\/v0.1 is for: SECURITY but is unsupported/);
  });
});
