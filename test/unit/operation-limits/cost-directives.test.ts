import { describe, expect, it } from 'vitest';
import { composeServices } from '@apollo/composition';
import { buildSchema, parse } from 'graphql';
import { estimateCost, findOperationLimitViolation } from '../../../gateway/graphql/operation-limits/check.ts';
import { operationLimitsConfigSchema, type OperationLimitsConfigInput } from '../../../gateway/graphql/operation-limits/config.ts';
import { costDirectivesOf, useSupergraphCostDirectives } from '../../../gateway/graphql/operation-limits/cost-directives.ts';
import { apiSchemaOfSupergraph } from '../../../schema/check/api-schema.ts';

/** IBM/Apollo demand-control directives, slicing arguments and the guess for unsized lists. */
const schema = buildSchema(`
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR

  type Query {
    capped: [Item!]! @listSize(assumedSize: 50)
    paged(take: Int, first: Int): [Item!]! @listSize(slicingArguments: ["take"], requireOneSlicingArgument: false)
    strict(take: Int): [Item!]! @listSize(slicingArguments: ["take"])
    pagedBy(page: Page): [Item!]! @listSize(slicingArguments: ["page.size"], requireOneSlicingArgument: false)
    connection(first: Int): ItemConnection @listSize(slicingArguments: ["first"], sizedFields: ["edges", "page.nodes"])
    unsized: [Item!]!
    defaulted(first: Int = 7): [Item!]!
    heavy: Int @cost(weight: 40)
    items(filter: Filter @cost(weight: 5), first: Int): [Item!]!
    expensive: [Expensive!]!
    score: Score
  }
  input Page { size: Int }
  input Filter { text: String @cost(weight: 3) tags: [String!] }
  type Item {
    id: ID!
    name: String
    children: [Item!]!
    related(take: Int): [Item!]! @listSize(slicingArguments: ["take"])
    relatedLoose(take: Int): [Item!]! @listSize(slicingArguments: ["take"], requireOneSlicingArgument: false)
  }
  type ItemConnection { edges: [Item!]! other: [Item!]! page: ItemPage }
  type ItemPage { nodes: [Item!]! }
  type Expensive @cost(weight: 9) { id: ID! }
  scalar Score @cost(weight: 4)
`);

const config = (over: OperationLimitsConfigInput = {}) => operationLimitsConfigSchema.parse(over);
const cost = (source: string, variables?: Record<string, unknown>, over: OperationLimitsConfigInput = {}) =>
  estimateCost(parse(source), config(over), { schema, variables });

describe('@listSize', () => {
  it('assumedSize sizes a list asked without a slicing argument, in full', () => {
    expect(cost('{ capped { id } }')).toBe(1 + 50);
    // declared sizes are not guesses: they multiply past maxAssumedFanOut
    expect(cost('{ capped { children { id } } }')).toBe(1 + 50 * (1 + 2 * 1)); // 50 × (1 + guess of 100 ÷ 50 = 2)
  });

  it('slicingArguments name the size arguments, replacing the configured ones', () => {
    expect(cost('{ paged(take: 30) { id } }')).toBe(1 + 30);
    expect(cost('{ paged(first: 30) { id } }')).toBe(1 + 10); // `first` is not this field's slicing argument
    expect(cost('query($n: Int) { paged(take: $n) { id } }', { n: 40 })).toBe(1 + 40);
    expect(cost('{ pagedBy(page: { size: 25 }) { id } }')).toBe(1 + 25);
    expect(cost('query($p: Page) { pagedBy(page: $p) { id } }', { p: { size: 12 } })).toBe(1 + 12);
  });

  it('sizedFields: the slicing argument sizes the named lists below (dotted paths too), not the others', () => {
    expect(cost('{ connection(first: 20) { edges { id } } }')).toBe(1 + 1 + 20);
    expect(cost('{ connection(first: 20) { page { nodes { id } } } }')).toBe(1 + 1 + (1 + 20));
    expect(cost('{ connection(first: 20) { other { id } } }')).toBe(1 + 1 + 10); // a guess
  });

  it('requireOneSlicingArgument: asked without one, the list gets no fan-out discount', () => {
    expect(cost('{ strict(take: 3) { id } }')).toBe(1 + 3);
    expect(cost('{ strict { id } }')).toBe(1 + 10);
    // under 100 items a guess counts 1 item; a list that demands a slicing argument and got none still counts 10
    expect(cost('{ paged(take: 100) { relatedLoose { id } } }')).toBe(1 + 100 * (1 + 1));
    expect(cost('{ paged(take: 100) { related { id } } }')).toBe(1 + 100 * (1 + 10));
    expect(cost('{ paged(take: 100) { related(take: 2) { id } } }')).toBe(1 + 100 * (1 + 2));
  });
});

describe('@cost', () => {
  it('a field costs its weight instead of 1', () => {
    expect(cost('{ heavy }')).toBe(40);
  });

  it('a type weight counts once per item returned (objects) or per value (scalars)', () => {
    expect(cost('{ expensive { id } }')).toBe(1 + 10 * (9 + 1));
    expect(cost('{ score }')).toBe(1 + 4);
  });

  it('arguments and input fields given add their weight', () => {
    expect(cost('{ items(first: 2) { id } }')).toBe(1 + 2);
    expect(cost('{ items(first: 2, filter: { tags: ["a"] }) { id } }')).toBe(1 + 5 + 2);
    expect(cost('{ items(first: 2, filter: { text: "a" }) { id } }')).toBe(1 + 5 + 3 + 2);
    expect(cost('query($f: Filter) { items(first: 2, filter: $f) { id } }', { f: { text: 'a' } })).toBe(1 + 5 + 3 + 2);
  });
});

describe('slicing arguments and guesses', () => {
  it("a slicing argument left out takes its schema default, then a guess", () => {
    expect(cost('{ defaulted { id } }')).toBe(1 + 7);
    expect(cost('{ defaulted(first: 2) { id } }')).toBe(1 + 2);
    expect(cost('{ unsized { id } }')).toBe(1 + 10);
  });

  it('the configured slicing arguments can be changed', () => {
    expect(cost('{ paged(first: 30) { id } items(first: 3) { id } }', undefined, { listSizeArguments: ['take'] })).toBe(1 + 10 + (1 + 10));
  });

  it('guesses stop compounding past maxAssumedFanOut; asked sizes never do', () => {
    // 10 × 10 guessed items reach 100: the third unsized level counts 1 item, not 10
    expect(cost('{ unsized { children { children { id } } } }')).toBe(1 + 10 * (1 + 10 * (1 + 1)));
    // what the client asks for always counts in full, and leaves no room for guesses under it
    expect(cost('{ items(first: 100) { children { id } } }')).toBe(1 + 100 * (1 + 1));
    expect(cost('{ items(first: 20) { children { id } } }')).toBe(1 + 20 * (1 + 5));
    expect(cost('{ unsized { children { children { id } } } }', undefined, { maxAssumedFanOut: 1_000_000 })).toBe(1 + 10 * (1 + 10 * (1 + 10)));
  });
});

describe('directives from a supergraph', () => {
  const subgraph = `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
    type Query {
      users(first: Int): [User!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false, assumedSize: 30)
      heavy: Int @cost(weight: 25)
    }
    type User @key(fields: "id") { id: ID! name: String }
  `;
  const composed = composeServices([{ name: 'users', typeDefs: parse(subgraph), url: 'http://127.0.0.1:4001/graphql' }]);
  if (composed.errors) throw composed.errors[0];
  const supergraphSdl = composed.supergraphSdl;

  it("are lost in Apollo's API schema, and honoured once the supergraph is registered for it", () => {
    const api = apiSchemaOfSupergraph(supergraphSdl);
    const doc = parse('{ users { id } heavy }');
    expect(estimateCost(doc, config(), { schema: api })).toBe(1 + 10 + 1); // the API schema alone: a guess, weight 1
    useSupergraphCostDirectives(api, supergraphSdl);
    expect(estimateCost(doc, config(), { schema: api })).toBe(1 + 30 + 25);
    expect(findOperationLimitViolation(parse('{ users(first: 200) { id name } }'), config({ maxCost: 400 }), { schema: api })).toMatchObject({
      limit: 'maxCost',
      value: 401,
    });
  });

  it('are found under the names @link gives them (imports, renames, namespaced)', () => {
    const renamed = buildSchema(`
      schema @link(url: "https://specs.apollo.dev/cost/v0.1", as: "demand", import: [{ name: "@listSize", as: "@size" }]) { query: Query }
      directive @link(url: String, as: String, import: [Import]) repeatable on SCHEMA
      scalar Import
      directive @demand(weight: Int!) on FIELD_DEFINITION
      directive @size(assumedSize: Int) on FIELD_DEFINITION
      directive @federation__listSize(assumedSize: Int) on FIELD_DEFINITION
      type Query { a: Int @demand(weight: 7) b: [Int] @size(assumedSize: 3) c: [Int] @federation__listSize(assumedSize: 4) }
    `);
    const found = costDirectivesOf(renamed);
    expect(found.weights.get('Query.a')).toBe(7);
    expect(found.listSizes.get('Query.b')).toMatchObject({ assumedSize: 3 });
    expect(found.listSizes.get('Query.c')).toMatchObject({ assumedSize: 4, requireOneSlicingArgument: true });
  });
});
