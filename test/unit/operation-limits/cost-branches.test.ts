import { describe, expect, it } from 'vitest';
import { buildSchema, parse } from 'graphql';
import { estimateCost } from '../../../gateway/graphql/operation-limits/check.ts';
import { operationLimitsConfigSchema } from '../../../gateway/graphql/operation-limits/config.ts';

/** An object is one type at runtime: an abstract field's items cost their costliest possible type, not every branch added up. */
const schema = buildSchema(`
  type Query {
    search(first: Int): [Result!]!
    node(id: ID!): Node
    nodes(first: Int): [Node!]!
    feed(first: Int): [FeedItem!]!
  }
  union Result = User | Post | Ad
  interface Node { id: ID! }
  interface Named { name: String }
  type User implements Node & Named { id: ID! name: String email: String friends(first: Int): [User!]! }
  type Post implements Node { id: ID! title: String body: String author: User }
  type Ad { id: ID! }
  union FeedItem = Post | Ad
`);

const limits = operationLimitsConfigSchema.parse({});
const cost = (source: string) => estimateCost(parse(source), limits, { schema });

describe('estimated cost of abstract types', () => {
  it('takes the costliest branch of a union, not the sum of its fragments', () => {
    // User: 3 fields, Post: 2, Ad: 1 → an item costs 3
    expect(cost('{ search(first: 10) { ... on User { id name email } ... on Post { id title } ... on Ad { id } } }')).toBe(1 + 10 * 3);
  });

  it('adds the fields selected on the interface itself to every branch', () => {
    // id applies to all; User adds name email (3 in all), Post adds title (2)
    expect(cost('{ nodes(first: 5) { id ... on User { name email } ... on Post { title } } }')).toBe(1 + 5 * 3);
  });

  it('counts a fragment on an interface for each type that implements it', () => {
    // Named applies to User only: User id+name+email = 3; Post id = 1
    expect(cost('{ nodes(first: 2) { id ... on Named { name } ... on User { email } } }')).toBe(1 + 2 * 3);
    // and a fragment on a union member through a named fragment
    expect(cost('{ search(first: 2) { ...P ... on Ad { id } } } fragment P on Post { id title body }')).toBe(1 + 2 * 3);
  });

  it('prices what is under a branch with that branch (a nested list counts only where it is selected)', () => {
    // User: id + friends(first: 4) { id } = 1 + (1 + 4) = 6; Post: id title body = 3
    expect(cost('{ search(first: 3) { ... on User { id friends(first: 4) { id } } ... on Post { id title body } } }')).toBe(1 + 3 * 6);
  });

  it('nests: each abstract level picks its own costliest branch', () => {
    const q = `{ search(first: 2) {
      ... on Post { author { friends(first: 3) { id name } } }
      ... on User { friends(first: 3) { id } }
    } }`;
    // Post: author 1 + friends (1 + 3 × 2) = 8; User: friends 1 + 3 × 1 = 4
    expect(cost(q)).toBe(1 + 2 * 8);
  });

  it('skips fragments on types that cannot be the object (an Ad in a FeedItem is not a User)', () => {
    expect(cost('{ feed(first: 4) { ... on Post { id } ... on Ad { id } } }')).toBe(1 + 4 * 1);
  });

  it('sums the branches when there is no schema to say they exclude each other', () => {
    const doc = parse('{ search(first: 10) { ... on User { id name email } ... on Post { id title } } }');
    expect(estimateCost(doc, limits)).toBe(1 + 10 * 5);
  });

  it('stays linear with abstract types nested in each other (each selection measured once per type)', () => {
    const many = Array.from({ length: 40 }, (_, i) => `type T${i} implements I { id: ID! next: I }`).join('\n');
    const wide = buildSchema(`type Query { i: I } interface I { id: ID! next: I } ${many}`);
    let q = 'id';
    for (let level = 0; level < 12; level++) q = `id next { ${q} }`;
    const started = performance.now();
    expect(estimateCost(parse(`{ i { ${q} } }`), limits, { schema: wide })).toBe(1 + 12 * 2 + 1);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
