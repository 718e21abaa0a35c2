import { describe, expect, it } from 'vitest';
import { buildSchema, parse } from 'graphql';
import { estimateCost, findBatchViolation, findOperationLimitViolation } from '../../../gateway/graphql/operation-limits/check.ts';
import { operationLimitsConfigSchema, resolveIntrospection, type OperationLimitsConfigInput } from '../../../gateway/graphql/operation-limits/config.ts';
import { describeViolation } from '../../../gateway/graphql/operation-limits/violation.ts';

const schema = buildSchema(`
  type Query {
    users(first: Int, last: Int): [User!]!
    user(id: ID!): User
    search(limit: Int): [Result]
    usersConnection(first: Int): UserConnection
    matrix: [[Int]]
    grid: [[User]]
  }
  type User { id: ID! name: String friends(first: Int): [User!]! tags: [String!]! }
  union Result = User | Post
  type Post { id: ID! title: String }
  type UserConnection { edges: [UserEdge!]! nodes: [User!]! pageInfo: PageInfo! }
  type UserEdge { cursor: String node: User }
  type PageInfo { hasNextPage: Boolean }
`);

const config = (over: OperationLimitsConfigInput = {}) => operationLimitsConfigSchema.parse(over);
const cost = (source: string, variables?: Record<string, unknown>, over: OperationLimitsConfigInput = {}) =>
  estimateCost(parse(source), config(over), { schema, variables });

describe('estimated cost', () => {
  it('is one per field, multiplying what is under a list by its size argument', () => {
    expect(cost('{ user(id: 1) { id name } }')).toBe(3);
    expect(cost('{ users(first: 10) { id name } }')).toBe(1 + 10 * 2);
    expect(cost('{ users(first: 10) { friends(first: 5) { id } } }')).toBe(1 + 10 * (1 + 5 * 1));
    expect(cost('{ users(last: 3) { id } }')).toBe(4);
    // A Result is a User or a Post, never both: each item costs its costlier branch (Post: 2), not the sum (was 1 + 4 × 3).
    expect(cost('{ search(limit: 4) { ... on User { id } ... on Post { id title } } }')).toBe(1 + 4 * 2);
  });

  it('uses defaultListSize for a list without a size argument, and for each inner level of [[T]]', () => {
    expect(cost('{ users { id } }')).toBe(1 + 10);
    expect(cost('{ users { id } }', undefined, { defaultListSize: 3 })).toBe(4);
    expect(cost('{ grid { id } }', undefined, { defaultListSize: 2 })).toBe(1 + 4);
    expect(cost('{ matrix }')).toBe(1); // a leaf list costs its field, not its items
  });

  it('reads sizes from variables, then from their defaults', () => {
    const q = 'query($n: Int = 7) { users(first: $n) { id } }';
    expect(cost(q, { n: 50 })).toBe(51);
    expect(cost(q, {})).toBe(8);
    expect(cost('query($n: Int) { users(first: $n) { id } }', {})).toBe(11);
  });

  it('sizes the lists right under a Relay connection by the connection argument', () => {
    expect(cost('{ usersConnection(first: 20) { edges { node { id } } pageInfo { hasNextPage } } }')).toBe(
      1 + (1 + 20 * (1 + 1)) + (1 + 1),
    );
    expect(cost('{ usersConnection(first: 20) { nodes { id } } }')).toBe(1 + 1 + 20);
  });

  it('expands fragments; __typename costs nothing, introspection fields 1 each (was 0)', () => {
    expect(cost('{ users(first: 2) { ...U __typename } } fragment U on User { id name }')).toBe(1 + 2 * 2);
    expect(cost('{ __typename __schema { types { name } } }')).toBe(3);
  });

  it('without a schema, only size arguments mark lists', () => {
    expect(estimateCost(parse('{ users(first: 10) { id } user { id } }'), config())).toBe(11 + 2);
  });
});

describe('maxCost', () => {
  it('admits a cost equal to the limit and rejects one above it', () => {
    const doc = parse('{ users(first: 10) { id name } }'); // 21
    expect(findOperationLimitViolation(doc, config({ maxCost: 21 }), { schema })).toBeUndefined();
    const v = findOperationLimitViolation(doc, config({ maxCost: 20 }), { schema });
    expect(v).toEqual({ limit: 'maxCost', value: 21, max: 20 });
    expect(describeViolation(v!)).toBe('Estimated query cost 21 exceeds the limit of 20');
  });

  it('rejects a list-bomb under the default limit of 5000', () => {
    const bomb = parse('{ users(first: 100) { friends(first: 100) { id } } }'); // 1 + 100 × 101
    expect(findOperationLimitViolation(bomb, config(), { schema })).toMatchObject({ limit: 'maxCost', value: 10_101, max: 5_000 });
    const variables = { n: 100 };
    const viaVars = parse('query($n: Int) { users(first: $n) { friends(first: $n) { id } } }');
    expect(findOperationLimitViolation(viaVars, config(), { schema, variables })).toMatchObject({ limit: 'maxCost' });
    expect(findOperationLimitViolation(viaVars, config(), { schema, variables: { n: 5 } })).toBeUndefined();
  });
});

describe('batching', () => {
  it('is refused unless enabled, then admits up to maxOperations', () => {
    const off = config().batching;
    expect(findBatchViolation(2, off)).toEqual({ limit: 'batching', value: 2, max: 0 });
    expect(describeViolation(findBatchViolation(2, off)!)).toBe('Batched requests are not accepted (received 2 operations)');
    const on = config({ batching: { enabled: true } }).batching;
    expect(findBatchViolation(5, on)).toBeUndefined();
    expect(findBatchViolation(6, on)).toEqual({ limit: 'maxOperations', value: 6, max: 5 });
    expect(describeViolation(findBatchViolation(6, on)!)).toBe('Batch of 6 operations exceeds the limit of 5');
  });
});

describe('operationLimits config', () => {
  it('has the documented defaults', () => {
    expect(config()).toEqual({
      maxDepth: 12,
      maxAliases: 30,
      maxRootFields: 20,
      maxTokens: 2_000,
      maxDocumentBytes: 65_536,
      maxJsonDepth: 64,
      maxCost: 5_000,
      defaultListSize: 10,
      maxAssumedFanOut: 100,
      listSizeArguments: ['first', 'last', 'limit'],
      batching: { enabled: false, maxOperations: 5 },
    });
  });

  it('rejects unknown keys and nonsense values', () => {
    expect(operationLimitsConfigSchema.safeParse({ maxDepht: 3 }).success).toBe(false);
    expect(operationLimitsConfigSchema.safeParse({ maxDepth: 0 }).success).toBe(false);
    expect(operationLimitsConfigSchema.safeParse({ batching: { maxOperations: 0 } }).success).toBe(false);
  });

  it('resolves introspection: configured value, else on unless NODE_ENV=production', () => {
    expect(resolveIntrospection(config(), { NODE_ENV: 'production' })).toBe(false);
    expect(resolveIntrospection(config(), { NODE_ENV: 'development' })).toBe(true);
    expect(resolveIntrospection(config(), {})).toBe(true);
    expect(resolveIntrospection(config({ introspection: true }), { NODE_ENV: 'production' })).toBe(true);
    expect(resolveIntrospection(config({ introspection: false }), {})).toBe(false);
  });
});
