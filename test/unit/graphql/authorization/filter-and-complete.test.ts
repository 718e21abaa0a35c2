import { buildSchema, parse, print, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { completeFilteredResult } from '../../../../gateway/graphql/authorization/complete-result.ts';
import type { Requirement } from '../../../../gateway/graphql/authorization/requirements.ts';
import { SchemaAuthorization } from '../../../../gateway/graphql/authorization/schema-authorization.ts';

/**
 * The filter and the completion on a small schema with what the demo supergraph lacks:
 * an interface, a union and a guarded type. `email` needs scope "email"; the type Secret
 * (and so every field returning it, and each of its fields) needs "secret".
 */
const SDL = `
schema @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY) { query: Query }
directive @link(url: String, as: String, for: String, import: [String]) repeatable on SCHEMA
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
type Query {
  me: User @authenticated
  user(id: ID!): User
  users: [User!]!
  node(id: ID!): Node
  search: [Result!]!
}
interface Node { id: ID! }
type User implements Node { id: ID! name: String email: String! @requiresScopes(scopes: [["email"]]) best: User }
type Secret implements Node @requiresScopes(scopes: [["secret"]]) { id: ID! value: String }
union Result = User | Secret
`;

const schema = buildSchema(SDL);
const authorization = new SchemaAuthorization(schema, SDL);
const [authenticated, email, secret] = authorization.requirements.all as [Requirement, Requirement, Requirement];

function run(query: string, refused: Requirement[]) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (!operation) throw new Error('no operation');
  const filtered = authorization.filter(document, operation, new Map(refused.map((r) => [r, true])));
  return { document, filtered };
}

/** Filters `query`, "executes" the filtered document against `data`, and completes the result. */
async function complete(query: string, refused: Requirement[], data: Record<string, unknown> | null, variables?: Record<string, unknown>) {
  const { document, filtered } = run(query, refused);
  if (!filtered) throw new Error('nothing filtered');
  const result = await completeFilteredResult({ schema: authorization.completionSchema, document, operationName: undefined, variables, data, removals: filtered.removals });
  return { data: result.data, errors: result.refusals.map((r) => ({ path: r.path, coordinate: r.refused.coordinate })) };
}

const flat = (doc: string) => print(parse(doc));

describe('filtering an operation', () => {
  it('removes what is refused, keeps the rest; nothing refused or nothing touched: no rewrite', () => {
    const { filtered } = run('{ user(id: 1) { name email } }', [email]);
    expect(print(filtered?.document ?? parse('{a}'))).toBe(flat('{ user(id: 1) { name } }'));
    expect(run('{ user(id: 1) { name email } }', [])).toEqual({ document: expect.anything(), filtered: null });
    expect(run('{ user(id: 1) { name } }', [email, secret, authenticated]).filtered).toBeNull();
  });

  it('an emptied selection takes its parent along, up to the root', () => {
    expect(print(run('{ user(id: 1) { best { email } } users { id } }', [email]).filtered?.document ?? parse('{a}'))).toBe(flat('{ users { id } }'));
    const all = run('{ me { id } }', [authenticated]).filtered;
    expect(all?.empty).toBe(true);
  });

  it('filters named fragments once, drops spreads of emptied ones and unused definitions', () => {
    const { filtered } = run('query Q { user(id: 1) { ...Name ...Mail } } fragment Name on User { name } fragment Mail on User { email }', [email]);
    expect(print(filtered?.document ?? parse('{a}'))).toBe(flat('query Q { user(id: 1) { ...Name } } fragment Name on User { name }'));
  });

  it('asks for the type of every abstract position, under an alias the client never sees', () => {
    const { filtered } = run('{ search { ... on User { name } ... on Secret { value } } }', [secret]);
    expect(print(filtered?.document ?? parse('{a}'))).toBe(flat('{ search { ... on User { name } _authz__typename: __typename } }'));
  });

  it('an interface field takes what every implementation asks: Node.id is Secret.id too', () => {
    const { filtered } = run('{ node(id: 1) { id ... on User { name } } }', [secret]);
    expect(print(filtered?.document ?? parse('{a}'))).toBe(flat('{ node(id: 1) { ... on User { name } _authz__typename: __typename } }'));
  });

  it('the plan-cache key is the hash of the filtered text: equal for equal filtered documents, distinct otherwise', () => {
    const a = run('{ user(id: 1) { name email } }', [email]).filtered;
    const b = run('{ user(id: 1) { name email } }', [email, secret]).filtered;
    const same = run('{ user(id: 1) { name best { email } } }', [email]).filtered; // best emptied: { user(id: 1) { name } } too
    const other = run('{ user(id: 1) { id email } }', [email]).filtered;
    expect(a?.queryHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b?.queryHash).toBe(a?.queryHash);
    expect(same?.queryHash).toBe(a?.queryHash);
    expect(other?.queryHash).not.toBe(a?.queryHash);
  });

  it('is computed once per operation and set of refusals', () => {
    const document = parse('{ user(id: 1) { name email } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const once = authorization.filter(document, operation, new Map([[email, true]]));
    expect(authorization.filter(document, operation, new Map([[email, 'again']]))).toBe(once);
    expect(authorization.filter(document, operation, new Map([[secret, true]]))).toBeNull();
  });
});

describe('deciding per caller', () => {
  it('decides once per capability: anonymous, or a set of scopes (in any order)', () => {
    const user = (scopes: string[]) => ({ kind: 'user' as const, subject: `u${scopes.length}`, scopes, roles: [], tier: 'standard' });
    const both = authorization.refusalsFor(user(['secret', 'email']));
    expect([...both.keys()]).toEqual([]);
    expect(authorization.refusalsFor(user(['email', 'secret']))).toBe(both);
    expect([...authorization.refusalsFor(user(['email'])).keys()]).toEqual([secret]);
    expect([...authorization.refusalsFor({ kind: 'anonymous' }).values()].map((r) => r.code)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
  });
});

describe('completing the result', () => {
  it('a removed nullable field is null at each place, one refusal per path', async () => {
    const r = await complete('{ users { id best { id email } } }', [email], { users: [{ id: '1', best: { id: '2' } }, { id: '3', best: null }] });
    // best is nullable: its email (String!) nulls it; the second best was null anyway.
    expect(r).toEqual({ data: { users: [{ id: '1', best: null }, { id: '3', best: null }] }, errors: [{ path: ['users', 0, 'best', 'email'], coordinate: 'User.email' }] });
  });

  it('a removed non-null field nulls its nearest nullable parent; every removed sibling is still reported', async () => {
    const r = await complete('{ user(id: 1) { name email again: email } me { id } }', [email, authenticated], { user: { name: 'Ada' } });
    expect(r).toEqual({
      data: { user: null, me: null },
      errors: [
        { path: ['user', 'email'], coordinate: 'User.email' },
        { path: ['user', 'again'], coordinate: 'User.email' },
        { path: ['me'], coordinate: 'Query.me' },
      ],
    });
  });

  it('an emptied parent is null; below a list, the list is named (which element is unknown)', async () => {
    expect(await complete('{ user(id: 1) { best { email } } node(id: 1) { id } }', [email], { node: { id: '1', _authz__typename: 'User' } })).toEqual({
      data: { user: null, node: { id: '1' } },
      errors: [{ path: ['user', 'best', 'email'], coordinate: 'User.email' }],
    });
    expect(await complete('{ users { email } }', [email], {})).toEqual({ data: null, errors: [{ path: ['users'], coordinate: 'User.email' }] });
  });

  it('abstract positions resolve their type from the aliased __typename, and the alias does not leak', async () => {
    const r = await complete('{ search { __typename ... on User { name } ... on Secret { value } } }', [secret], {
      search: [
        { __typename: 'User', name: 'Ada', _authz__typename: 'User' },
        { __typename: 'Secret', _authz__typename: 'Secret' },
      ],
    });
    expect(r).toEqual({ data: { search: [{ __typename: 'User', name: 'Ada' }, { __typename: 'Secret', value: null }] }, errors: [{ path: ['search', 1, 'value'], coordinate: 'Secret.value' }] });
  });

  it('a field the client skipped is not reported; merged selections answer from the kept one', async () => {
    const skipped = await complete('query ($show: Boolean!) { user(id: 1) { name email @include(if: $show) } }', [email], { user: { name: 'Ada' } }, { show: false });
    expect(skipped).toEqual({ data: { user: { name: 'Ada' } }, errors: [] });
    // `user { best { email } }` is emptied, `user { best { id } }` is not: best answers, its email fails.
    const merged = await complete('{ user(id: 1) { best { email } } user(id: 1) { best { id } } }', [email], { user: { best: { id: '2' } } });
    expect(merged).toEqual({ data: { user: { best: null } }, errors: [{ path: ['user', 'best', 'email'], coordinate: 'User.email' }] });
  });
});
