import { Source, buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { collectUsage } from '../../../schema/check/usage.ts';

const schema = buildSchema(`
  directive @format(style: String) on FIELD
  type Query {
    user(id: ID!): User
    users(filter: UserFilter, first: Int = 10): [User!]!
    search(term: String!): [SearchResult!]!
    node(id: ID!): Node
  }
  type Mutation { setTier(id: ID!, tier: Tier!): User }
  interface Node { id: ID! }
  type User implements Node { id: ID! name: String! tier: Tier! }
  type Product implements Node { id: ID! title: String }
  union SearchResult = User | Product
  enum Tier { BRONZE SILVER GOLD }
  enum Sort { ASC DESC }
  input UserFilter { tier: Tier, nameLike: String, sort: Sort, nested: UserFilter }
`);

function keys(document: string): string[] {
  return [...collectUsage(schema, parse(new Source(document, 'ops.graphql'))).keys()].sort();
}

describe('collectUsage', () => {
  it('collects types, fields and arguments', () => {
    expect(keys('query Q($id: ID!) { user(id: $id) { id name @format(style: "short") } }')).toEqual(
      ['@format', '@format at FIELD', '@format(style:)', 'ID', 'Query', 'Query.user', 'Query.user(id:)', 'String', 'User', 'User.id', 'User.name'].sort(),
    );
  });

  it('counts input fields and enum values written as literals, and only those', () => {
    const used = keys('{ users(filter: { tier: GOLD, nameLike: "a" }) { id } }');
    expect(used).toEqual(expect.arrayContaining(['Query.users(filter:)', 'UserFilter.tier', 'UserFilter.nameLike', 'Tier.GOLD']));
    expect(used).not.toContain('Tier.SILVER');
    expect(used).not.toContain('UserFilter.sort');
    expect(used).not.toContain('Query.users(first:)');
  });

  it('counts every field and enum value reachable from a variable as possibly sent', () => {
    const used = keys('query Q($f: UserFilter) { users(filter: $f) { id } }');
    expect(used).toEqual(
      expect.arrayContaining(['UserFilter.tier', 'UserFilter.nameLike', 'UserFilter.sort', 'UserFilter.nested', 'Tier.BRONZE', 'Tier.GOLD', 'Sort.DESC']),
    );
  });

  it('keys fragments by where they are spread', () => {
    const used = keys(`
      { search(term: "x") { ... on User { id } ...P } node(id: "1") { ... on Product { title } } }
      fragment P on Product { title }
    `);
    expect(used).toEqual(expect.arrayContaining(['SearchResult ... on User', 'SearchResult ... on Product', 'Node ... on Product']));
  });

  it('records the line of the first use', () => {
    const usage = collectUsage(schema, parse(new Source('mutation M {\n  setTier(id: "1", tier: GOLD) {\n    id\n  }\n}\n', 'm.graphql')));
    expect(usage.get('Tier.GOLD')).toEqual({ file: 'm.graphql', line: 2 });
    expect(usage.get('User.id')).toEqual({ file: 'm.graphql', line: 3 });
    expect(usage.get('Mutation')).toEqual({ file: 'm.graphql', line: 1 });
  });

  it('keys directives by location and by repetition', () => {
    const used = keys('query Q @format { user(id: "1") { ...U @format } ... on Query { __typename @format @format } } fragment U on User { id }');
    expect(used).toEqual(expect.arrayContaining(['@format at QUERY', '@format at FRAGMENT_SPREAD', '@format at FIELD', '@format repeated']));
    expect(keys('{ user(id: "1") { id @format name @format } }')).not.toContain('@format repeated');
  });

  it('records which input values may be left out or null', () => {
    const used = keys('query Q($n: Int, $m: Int!, $d: Int = 3) { a: users(first: $n) { id } b: users(first: $m, filter: { tier: null, nameLike: "x" }) { id } c: users(first: $d) { id } }');
    expect(used).toEqual(
      expect.arrayContaining([
        'Query.users(filter:) may be omitted', // a and c leave it out
        'Query.users(first:) may be omitted', // $n may be unset
        'Query.users(first:) may be null', // $n and $d may be sent as null
        'UserFilter.tier may be null',
        'UserFilter.sort may be omitted',
      ]),
    );
    expect(used).not.toContain('UserFilter.nameLike may be omitted');
    expect(keys('query Q($m: Int!) { users(first: $m, filter: { nameLike: "x" }) { id } }')).not.toContain('Query.users(first:) may be null');
  });

  it('keys fragments spread directly in a field by that field, through fragments without a type condition', () => {
    const used = keys('{ search(term: "x") { ... { ... on User { id } } ...P } node(id: "1") { ... on User { ... on Node { id } } } } fragment P on Product { title }');
    expect(used).toEqual(expect.arrayContaining(['Query.search ... on User', 'Query.search ... on Product', 'Query.node ... on User']));
    // Inside `... on User` the parent is User, not the field: narrowing the field cannot invalidate it.
    expect(used).not.toContain('Query.node ... on Node');
  });

  it('skips what the schema does not know instead of guessing', () => {
    expect(keys('{ user(id: "1") { id removed } }')).not.toContain('User.removed');
  });
});
