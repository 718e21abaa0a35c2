import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../gateway/auth/index.ts';
import { postGraphQL, startStack, type Stack } from '../helpers/stack.ts';
import { seedOrders, totalOf } from '../../subgraphs/orders/data.ts';
import { PRODUCTS_BY_ID } from '../../subgraphs/products/data.ts';
import { REVIEWS_BY_PRODUCT } from '../../subgraphs/reviews/data.ts';
import { USERS_BY_ID } from '../../subgraphs/users/data.ts';

/**
 * The foundation end to end: every demo subgraph and the gateway on free loopback ports,
 * queried over HTTP like a client would.
 */
describe('POST /graphql over the demo supergraph', () => {
  let stack: Stack;
  let graphql: string;
  // Orders are their owner's, and email needs users:read:email (see graphql-authorization.test.ts).
  let asU1: Record<string, string>;

  beforeAll(async () => {
    // Whatever the test runner set: the gateway itself must turn Apollo's data collection off.
    delete process.env.APOLLO_TELEMETRY_DISABLED;
    stack = await startStack({ upstreamDefaults: { timeoutMs: 2_000, retry: { attempts: 1 } } });
    graphql = `${stack.gateway.url}/graphql`;
    asU1 = { authorization: `Bearer ${await signDevToken({ sub: 'u1', scopes: ['users:read:email'] })}` };
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('does not phone home: @apollo/gateway data collection (cloud probes, export to Apollo) is off by default', () => {
    expect(stack.gateway.config.supergraph.apolloDataCollection).toBe(false);
    expect(process.env.APOLLO_TELEMETRY_DISABLED).toBe('true');
  });

  /** What the seed data says a product looks like through the graph, with its first `n` reviews and their authors. */
  const seededProduct = (id: string, n: number) => {
    const product = PRODUCTS_BY_ID.get(id);
    if (!product) throw new Error(`no seeded product ${id}`);
    const reviews = (REVIEWS_BY_PRODUCT.get(id) ?? []).slice(0, n);
    return {
      id,
      name: product.name,
      priceCents: product.priceCents,
      reviews: reviews.map((r) => ({ rating: r.rating, author: { id: r.authorId, name: USERS_BY_ID.get(r.authorId)?.name } })),
    };
  };

  it('plans a query across users → orders → products → reviews → users and returns exactly the seeded data', async () => {
    const res = await postGraphQL(
      graphql,
      `query FirstOrder($id: ID!) {
        user(id: $id) {
          name
          email
          orders(first: 1, status: [DELIVERED]) {
            id status totalCents
            items { quantity product { id name priceCents reviews(first: 2) { rating author { id name } } } }
          }
        }
      }`,
      { id: 'u1' },
      asU1,
    );
    // The newest delivered order of u1, as the orders subgraph's seed has it (newest first, ties by id).
    const newest = seedOrders()
      .filter((o) => o.userId === 'u1' && o.status === 'DELIVERED')
      .sort((a, b) => (a.createdAt === b.createdAt ? Number(b.id.slice(1)) - Number(a.id.slice(1)) : a.createdAt < b.createdAt ? 1 : -1))[0];
    if (!newest) throw new Error('the seed has no delivered order for u1');
    const u1 = USERS_BY_ID.get('u1');
    expect(res.body).toEqual({
      data: {
        user: {
          name: u1?.name,
          email: u1?.email,
          orders: [
            {
              id: newest.id,
              status: 'DELIVERED',
              totalCents: totalOf(newest.items),
              items: newest.items.map((i) => ({ quantity: i.quantity, product: seededProduct(i.productId, 2) })),
            },
          ],
        },
      },
    });
    // Not vacuous: the order has lines, and at least one product has reviews with authors.
    const items = (res.body.data?.user as { orders: Array<{ items: Array<{ product: { reviews: unknown[] } }> }> }).orders[0]?.items ?? [];
    expect(items.length).toBeGreaterThan(0);
    expect(items.some((i) => i.product.reviews.length > 0)).toBe(true);
  });

  it('returns exactly the seeded order o1 with products from one subgraph and reviews from another', async () => {
    const res = await postGraphQL(
      graphql,
      `{ order(id: "o1") { id status totalCents user { id name }
           items { quantity product { id name priceCents reviews(first: 1) { rating author { id name } } } } } }`,
      undefined,
      asU1,
    );
    const o1 = seedOrders().find((o) => o.id === 'o1');
    expect(res.body).toEqual({
      data: {
        order: {
          id: 'o1',
          status: 'DELIVERED',
          totalCents: 40995,
          user: { id: 'u1', name: 'Ada Lovelace' },
          items: (o1?.items ?? []).map((i) => ({ quantity: i.quantity, product: seededProduct(i.productId, 1) })),
        },
      },
    });
    expect(o1?.items.map((i) => [i.productId, i.quantity])).toEqual([
      ['p4', 2],
      ['p11', 3],
    ]);
  });

  it('resolves the @requires field (shipping needs price and weight from products)', async () => {
    const res = await postGraphQL(graphql, `{ product(id: "p1") { id priceCents weightGrams shippingEstimateCents inStock } p6: product(id: "p6") { shippingEstimateCents } }`);
    expect(res.body).toEqual({
      data: { product: { id: 'p1', priceCents: 999, weightGrams: 250, shippingEstimateCents: 449, inStock: 7 }, p6: { shippingEstimateCents: 0 } },
    });
  });

  it('serves queries over GET and refuses mutations over GET', async () => {
    const q = encodeURIComponent('{ product(id: "p1") { name } }');
    const get = await fetch(`${graphql}?query=${q}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { product: { name: 'Graph Theory Primer' } } });

    const m = encodeURIComponent('mutation { cancelOrder(id: "o4") { id } }');
    const refused = await fetch(`${graphql}?query=${m}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(refused.status).toBe(405);
  });

  it('answers /healthz and /readyz', async () => {
    const live = await fetch(`${stack.gateway.url}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${stack.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { supergraph: true } });
  });

  it('echoes a client X-Request-ID and generates one otherwise', async () => {
    const given = await fetch(`${stack.gateway.url}/healthz-nope`, { headers: { 'x-request-id': 'req-123' } });
    expect(given.headers.get('x-request-id')).toBe('req-123');
    const res = await postGraphQL(graphql, '{ __typename }');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a subgraph stopped mid-test yields partial data and an error for the missing part', async () => {
    // averageRating is nullable and lives in reviews: its subgraph failing nulls just that field.
    const query = `{ product(id: "p1") { id name averageRating } }`;
    const before = await postGraphQL(graphql, query);
    expect(before.body.errors).toBeUndefined();

    await stack.service('reviews').close();
    const after = await postGraphQL(graphql, query);
    expect(after.status).toBe(200);
    expect(before.body.data).toEqual({ product: { id: 'p1', name: 'Graph Theory Primer', averageRating: 3.67 } });
    expect(after.body.data).toEqual({ product: { id: 'p1', name: 'Graph Theory Primer', averageRating: null } });
    expect(after.body.errors).toHaveLength(1);
    expect(after.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', serviceName: 'reviews' });
    // Like Apollo Router, a failed fetch is reported once, named by the subgraph, without a path.
    // No upstream internals (socket errors, stack traces) reach the client.
    expect(JSON.stringify(after.body.errors)).not.toMatch(/ECONNREFUSED|stack|at \w+ \(/);
  });
});
