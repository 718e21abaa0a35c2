import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import type { Gateway } from '../../gateway/app.ts';
import { startGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/net.ts';
import { startSdlSubgraph, type SdlSubgraph } from '../helpers/sdl-subgraph.ts';
import { postGraphQL } from '../helpers/stack.ts';
import { CHILD_TYPE_MISMATCH_OPERATIONS } from '../unit/operation-limits/fixtures/child-type-mismatch.operations.ts';
import { WORKLOAD_QUERY, WORKLOAD_SUPERGRAPH_PATH } from '../bench/workload/index.ts';

/**
 * The cost estimate through a real /graphql door, on supergraphs other than the demo's:
 * abstract types priced by their costliest branch, and the supergraph's `@listSize` and
 * `@cost` honoured (Apollo's API schema has lost them; the door registers them).
 */
const CATALOG = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
  type Query {
    search(first: Int): [Result!]!
    catalog: [Item!]! @listSize(assumedSize: 40)
    page(take: Int): [Item!]! @listSize(slicingArguments: ["take"], requireOneSlicingArgument: false)
    expensive: Int @cost(weight: 30)
  }
  union Result = Item | Bundle
  type Item @key(fields: "id") { id: ID! name: String price: Int }
  type Bundle { id: ID! title: String }
`;
const items = (n: number) => Array.from({ length: Math.min(n, 3) }, (_, i) => ({ __typename: 'Item', id: `i${i}`, name: `item ${i}`, price: i }));

describe('the cost estimate on /graphql: abstract types, @listSize, @cost', () => {
  let subgraph: SdlSubgraph;
  let gateway: Gateway;
  let dir: string;
  beforeAll(async () => {
    subgraph = await startSdlSubgraph(CATALOG, {
      Query: {
        search: (_: unknown, args: { first?: number }) => [...items(args.first ?? 1), { __typename: 'Bundle', id: 'b1', title: 'bundle' }],
        catalog: () => items(3),
        page: (_: unknown, args: { take?: number }) => items(args.take ?? 1),
        expensive: () => 7,
      },
      Result: { __resolveType: (r: { __typename: string }) => r.__typename },
    });
    const composed = composeServices([{ name: 'catalog', typeDefs: parse(CATALOG), url: subgraph.url }]);
    if (composed.errors) throw composed.errors[0];
    dir = mkdtempSync(join(tmpdir(), 'cost-estimate-'));
    const path = join(dir, 'supergraph.graphql');
    writeFileSync(path, composed.supergraphSdl);
    gateway = await startGateway({ supergraph: { path }, operationLimits: { maxCost: 100 } });
  });
  afterAll(async () => {
    await gateway?.close();
    await subgraph?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = (query: string) => postGraphQL(`${gateway.url}/graphql`, query);
  const refusal = async (query: string) => {
    const res = await post(query);
    return { status: res.status, extensions: res.body.errors?.[0]?.extensions };
  };

  it('prices a union by its costliest member (Item: 3 fields), not both fragments summed (4)', async () => {
    const ok = await post('{ search(first: 33) { ... on Item { id name price } ... on Bundle { id } } }'); // 1 + 33 × 3 = 100
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data?.search).toContainEqual({ id: 'b1' });
    expect(await refusal('{ search(first: 34) { ... on Item { id name price } ... on Bundle { id } } }')).toEqual({
      status: 400,
      extensions: expect.objectContaining({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxCost', value: 103, max: 100 }),
    });
  });

  it('sizes an unsized list by its @listSize(assumedSize:) from the supergraph', async () => {
    expect((await post('{ catalog { id name } }')).body.errors).toBeUndefined(); // 1 + 40 × 2 = 81
    expect((await refusal('{ catalog { id name price } }')).extensions).toMatchObject({ limit: 'maxCost', value: 121 }); // a guess of 10 would say 31
  });

  it('sizes a list by its @listSize(slicingArguments:)', async () => {
    expect((await post('{ page(take: 49) { id name } }')).body.errors).toBeUndefined(); // 99
    expect((await refusal('{ page(take: 50) { id name } }')).extensions).toMatchObject({ limit: 'maxCost', value: 101 });
  });

  it('weighs a field by its @cost(weight:)', async () => {
    expect((await post('{ expensive a: expensive b: expensive }')).body.errors).toBeUndefined(); // 90
    expect((await refusal('{ expensive a: expensive b: expensive c: expensive }')).extensions).toMatchObject({ limit: 'maxCost', value: 120 });
  });
});

/** With its default limits, the door admits the public documents the estimate used to refuse (here their subgraphs are down: only the limits are under test). */
describe('default limits on /graphql over outside supergraphs', () => {
  const fixture = (name: string) => readFileSync(new URL(`../unit/operation-limits/fixtures/${name}`, import.meta.url), 'utf8');
  const gateways: Gateway[] = [];
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cost-defaults-'));
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const gatewayOver = async (name: string, subgraphs: readonly string[], sdl: string = fixture(name)): Promise<Gateway> => {
    const path = join(dir, name);
    writeFileSync(path, sdl);
    const dead = `http://127.0.0.1:${await freePort()}/graphql`;
    const gateway = await startGateway({ supergraph: { path }, subgraphs: Object.fromEntries(subgraphs.map((s) => [s, { url: dead }])) });
    gateways.push(gateway);
    return gateway;
  };
  const limitErrors = (body: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
    (body.errors ?? []).filter((e) => e.extensions?.code === 'OPERATION_LIMIT_EXCEEDED');

  it("admits graphql-gateways-benchmark's TestQuery (was 107,812)", async () => {
    const gateway = await gatewayOver('workload.graphql', ['accounts', 'inventory', 'products', 'reviews'], readFileSync(WORKLOAD_SUPERGRAPH_PATH, 'utf8'));
    const res = await postGraphQL(`${gateway.url}/graphql`, WORKLOAD_QUERY);
    expect(limitErrors(res.body)).toEqual([]);
    expect(res.status).toBe(200);
  });

  it("admits the federation audit's child-type-mismatch operations (were 17,282 and 8,841)", async () => {
    const gateway = await gatewayOver('child-type-mismatch.supergraph.graphql', ['a', 'b']);
    for (const query of CHILD_TYPE_MISMATCH_OPERATIONS) {
      const res = await postGraphQL(`${gateway.url}/graphql`, query);
      expect(limitErrors(res.body)).toEqual([]);
      expect(res.status).toBe(200);
    }
  });
});
