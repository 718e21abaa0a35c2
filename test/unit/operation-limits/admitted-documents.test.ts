import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Kind, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { BFFS } from '../../../bffs/index.ts';
import { estimateCost, findOperationLimitViolation } from '../../../gateway/graphql/operation-limits/check.ts';
import { operationLimitsConfigSchema } from '../../../gateway/graphql/operation-limits/config.ts';
import { operationsOf } from '../../../gateway/graphql/operation-limits/walk.ts';
import { apiSchemaOfSupergraph } from '../../../schema/check/api-schema.ts';
import { CHILD_TYPE_MISMATCH_OPERATIONS } from './fixtures/child-type-mismatch.operations.ts';
import { BFF_SCREENS, SUPERGRAPH_OPERATION_VARIABLES } from './fixtures/documents.ts';
import { WORKLOAD_QUERY, WORKLOAD_SUPERGRAPH_PATH } from '../../bench/workload/index.ts';

/** What the default limits must let through: every document the project and the outside suites send. */
const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const defaults = operationLimitsConfigSchema.parse({});
const supergraph = apiSchemaOfSupergraph(read('schema/supergraph.graphql'));
const bffSchemas = new Map(BFFS.map((b) => [b.name, b.createSchema()]));
const bffSchema = (name: string): GraphQLSchema => {
  const s = bffSchemas.get(name);
  if (!s) throw new Error(`no BFF ${name}`);
  return s;
};

/** Each operation of a document, with the document's fragments, as its own document. */
const eachOperation = (source: string): Array<{ name: string; document: DocumentNode }> => {
  const doc = parse(source);
  const fragments = doc.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  return operationsOf(doc).map((op) => ({ name: op.name?.value ?? '(anonymous)', document: { kind: Kind.DOCUMENT, definitions: [op, ...fragments] } }));
};

/** The document of a one-operation source. */
const only = (source: string): DocumentNode => {
  const [first, ...rest] = eachOperation(source);
  if (!first || rest.length > 0) throw new Error('expected exactly one operation');
  return first.document;
};

const admitted = (document: DocumentNode, schema: GraphQLSchema, variables?: Record<string, unknown>) =>
  findOperationLimitViolation(document, defaults, { schema, variables });
const costOf = (document: DocumentNode, schema: GraphQLSchema, variables?: Record<string, unknown>) =>
  estimateCost(document, defaults, { schema, variables });

describe('the default limits admit', () => {
  it("every BFF's supergraph operations, at the largest sizes the BFFs send", () => {
    const files = ['admin', 'mobile', 'web'].flatMap((client) =>
      readdirSync(new URL(`bffs/${client}/operations/`, root)).map((f) => `bffs/${client}/operations/${f}`),
    );
    expect(files.length).toBeGreaterThanOrEqual(7);
    let operations = 0;
    for (const file of files) {
      for (const { name, document } of eachOperation(read(file))) {
        operations++;
        expect({ name, violation: admitted(document, supergraph, SUPERGRAPH_OPERATION_VARIABLES[name]) }).toEqual({ name, violation: undefined });
      }
    }
    expect(operations).toBeGreaterThanOrEqual(13);
  });

  it("the admin BFF's userOrders(first: 100), on the BFF and as AdminUserOrders on the supergraph (was 5,801)", () => {
    expect(costOf(only(BFF_SCREENS.find((s) => s.name === 'userOrders')?.query ?? ''), bffSchema('admin'))).toBe(1108); // was 4,708
    const op = eachOperation(read('bffs/admin/operations/orders.graphql')).find((o) => o.name === 'AdminUserOrders');
    // 100 orders asked for; their items are a guess, which may not take the fan-out past 100
    expect(costOf(op!.document, supergraph, { userId: 'u1', first: 100 })).toBe(1 + 100 * (5 + 2 + (1 + 1 * 5)));
  });

  it('every screen of every BFF, every field selected, at its documented maximum', () => {
    for (const screen of BFF_SCREENS) {
      expect({ screen: screen.name, violation: admitted(only(screen.query), bffSchema(screen.bff)) }).toEqual({ screen: screen.name, violation: undefined });
    }
  });

  it("the README's example queries", () => {
    const examples = [...read('README.md').matchAll(/"query":"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1] ?? ''}"`) as string);
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const query of examples) {
      const schema = query.includes('home') ? bffSchema('mobile') : supergraph;
      expect({ query, violation: admitted(parse(query), schema) }).toEqual({ query, violation: undefined });
    }
  });

  it("graphql-gateways-benchmark's TestQuery against its supergraph (was 107,812)", () => {
    // The bench's subgraphs have the public benchmark's schema (test/bench/workload/).
    const schema = apiSchemaOfSupergraph(readFileSync(WORKLOAD_SUPERGRAPH_PATH, 'utf8'));
    const document = parse(WORKLOAD_QUERY);
    expect(admitted(document, schema)).toBeUndefined();
    // users 10 × reviews 10 guessed, the two review lists under them 1 item each (fan-out 100 reached);
    // topProducts 5 (its `first` default) × reviews 10 × author.reviews 2
    expect(costOf(document, schema)).toBe(2641 + 1286);
  });

  it("the federation audit's child-type-mismatch operations against their supergraph (were 17,282 and 8,841)", () => {
    const schema = apiSchemaOfSupergraph(fixture('child-type-mismatch.supergraph.graphql'));
    const costs = CHILD_TYPE_MISMATCH_OPERATIONS.map((q) => {
      const document = only(q);
      expect(admitted(document, schema)).toBeUndefined();
      return costOf(document, schema);
    });
    expect(costs).toEqual([42, 252, 552, 321]);
  });
});

describe('the default limits still refuse', () => {
  it('a list bomb of sizes the client asks for, whatever the fan-out budget', () => {
    const bomb = parse('{ topProducts(first: 100) { reviews(first: 100) { rating } } }');
    expect(admitted(bomb, supergraph)).toEqual({ limit: 'maxCost', value: 1 + 100 * (1 + 100), max: 5_000 });
    const viaVariables = parse('query($n: Int) { topProducts(first: $n) { reviews(first: $n) { rating author { name } } } }');
    expect(admitted(viaVariables, supergraph, { n: 50 })).toMatchObject({ limit: 'maxCost', value: 1 + 50 * (1 + 50 * 3) });
  });
});
