import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../gateway/auth/index.ts';
import { postGraphQL, startStack, type Stack } from '../helpers/stack.ts';

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

  it('plans a query across users → orders → products → reviews and returns the exact data', async () => {
    const res = await postGraphQL(
      graphql,
      `query FirstOrder($id: ID!) {
        user(id: $id) {
          name
          email
          orders(first: 1, status: [DELIVERED]) {
            id status totalCents
            items { quantity product { id name priceCents reviews(first: 2) { rating author { name } } } }
          }
        }
      }`,
      { id: 'u1' },
      asU1,
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const user = res.body.data?.user as { name: string; email: string; orders: Array<Record<string, unknown>> };
    expect(user.name).toBe('Ada Lovelace');
    expect(user.email).toBe('ada@example.com');
    expect(user.orders).toHaveLength(1);
    const order = user.orders[0] as { id: string; status: string; totalCents: number; items: Array<{ quantity: number; product: { id: string; priceCents: number; reviews: unknown[] } }> };
    expect(order.status).toBe('DELIVERED');
    // Totals are the orders subgraph's; prices come from products: they must agree.
    const itemsTotal = order.items.reduce((sum, i) => sum + i.quantity * i.product.priceCents, 0);
    expect(order.totalCents).toBe(itemsTotal);
  });

  it('returns exactly the seeded order o1 with products from one subgraph and reviews from another', async () => {
    const res = await postGraphQL(
      graphql,
      `{ order(id: "o1") { id status totalCents user { id name }
           items { quantity product { id name priceCents reviews(first: 1) { rating author { id } } } } } }`,
      undefined,
      asU1,
    );
    expect(res.body).toEqual({
      data: {
        order: {
          id: 'o1',
          status: 'DELIVERED',
          totalCents: 40995,
          user: { id: 'u1', name: 'Ada Lovelace' },
          items: [
            { quantity: 2, product: { id: 'p4', name: expect.any(String), priceCents: 3999, reviews: [{ rating: expect.any(Number), author: { id: expect.stringMatching(/^u\d+$/) } }] } },
            { quantity: 3, product: { id: 'p11', name: expect.any(String), priceCents: 10999, reviews: [{ rating: expect.any(Number), author: { id: expect.stringMatching(/^u\d+$/) } }] } },
          ],
        },
      },
    });
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
