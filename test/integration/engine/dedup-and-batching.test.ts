import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../../gateway/auth/index.ts';
import { postGraphQL } from '../../helpers/stack.ts';
import { waitFor } from '../../helpers/upstream-pipeline.ts';
import { startProxiedStack, type ProxiedStack } from '../../helpers/proxied-stack.ts';
import { sampleValue, scrape } from '../../helpers/prometheus-text.ts';

/**
 * The engine's request economy, counted at a recording proxy in front of the real demo
 * subgraphs: in-flight deduplication of subgraph fetches (on by default) and of whole
 * operations (off by default), distinct representations per entity fetch, and one
 * request per subgraph for entity fetches that are ready together.
 *
 * Overlap is made certain without timing assertions: the proxy holds each subgraph call a
 * while before forwarding it, so the identical requests sent together are all in flight.
 */
const QUERY = 'query Top { topProducts(first: 3) { name reviews(first: 2) { rating author { name } } } }';
const HOLD_MS = 400;

const holdEverything = (stack: ProxiedStack): void =>
  stack.proxy.hold({ match: () => true, until: () => false, timeoutMs: HOLD_MS });

const callsTo = (stack: ProxiedStack, upstream: string): number => stack.proxy.calls.filter((c) => c.upstream === upstream).length;

describe('subgraph fetches in flight are shared (engine.dedup.subgraphFetches)', () => {
  let stack: ProxiedStack;
  beforeAll(async () => {
    stack = await startProxiedStack({ engine: { dedup: { subgraphFetches: true } } });
  }, 60_000);
  afterAll(async () => stack?.close());

  it('five identical queries at once make one request per distinct fetch, and each gets the full answer', async () => {
    const alone = await postGraphQL(`${stack.gateway.url}/graphql`, QUERY);
    expect(alone.body.errors).toBeUndefined();
    const perRequest = { products: callsTo(stack, 'products'), reviews: callsTo(stack, 'reviews'), users: callsTo(stack, 'users') };
    expect(perRequest).toEqual({ products: 1, reviews: 1, users: 1 });

    stack.proxy.reset();
    holdEverything(stack);
    const answers = await Promise.all(Array.from({ length: 5 }, () => postGraphQL(`${stack.gateway.url}/graphql`, QUERY)));
    for (const a of answers) expect(a.body).toEqual(alone.body);
    expect({ products: callsTo(stack, 'products'), reviews: callsTo(stack, 'reviews'), users: callsTo(stack, 'users') }).toEqual(perRequest);
    // Four of the five requests found each of their three fetches in flight.
    expect(sampleValue(await scrape(stack.gateway.url), 'engine_deduplicated_total', { kind: 'subgraph_fetch' })).toBe(12);
  });

  it('when the caller a shared fetch ran for goes away, the others still get their answer', async () => {
    stack.proxy.reset();
    holdEverything(stack);
    const shared = async (): Promise<number> => sampleValue(await scrape(stack.gateway.url), 'engine_deduplicated_total', { kind: 'subgraph_fetch' });
    const sharedBefore = await shared();
    const leaving = new AbortController();
    const first = fetch(`${stack.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    await waitFor(() => callsTo(stack, 'products') === 1, 'the first request reaching products');
    const second = postGraphQL(`${stack.gateway.url}/graphql`, QUERY);
    // The second request is in and waiting on the first one's products call (held by the proxy).
    await waitFor(async () => (await shared()) > sharedBefore, 'the second request sharing the products fetch');
    leaving.abort();
    await first;
    const answer = await second;
    expect(answer.body.errors).toBeUndefined();
    expect((answer.body.data?.topProducts as unknown[]).length).toBe(3);
    expect(callsTo(stack, 'products')).toBe(2);
  });

  it('callers with different identities never share a fetch', async () => {
    stack.proxy.reset();
    holdEverything(stack);
    const [u1, u2] = await Promise.all([signDevToken({ sub: 'u1' }), signDevToken({ sub: 'u2' })]);
    const [a, b] = await Promise.all([
      postGraphQL(`${stack.gateway.url}/graphql`, QUERY, {}, { authorization: `Bearer ${u1}` }),
      postGraphQL(`${stack.gateway.url}/graphql`, QUERY, {}, { authorization: `Bearer ${u2}` }),
    ]);
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    expect(callsTo(stack, 'products')).toBe(2);
    expect(new Set(stack.proxy.calls.filter((c) => c.upstream === 'products').map((c) => c.headers['x-user-id']))).toEqual(new Set(['u1', 'u2']));
  });

  it('a mutation is never shared: two identical mutations at once reach the subgraph twice', async () => {
    stack.proxy.reset();
    holdEverything(stack);
    const token = `Bearer ${await signDevToken({ sub: 'u12' })}`;
    const mutation = 'mutation Place { placeOrder(userId: "u12", items: [{ productId: "p1", quantity: 1 }]) { id status } }';
    const [a, b] = await Promise.all([
      postGraphQL(`${stack.gateway.url}/graphql`, mutation, {}, { authorization: token }),
      postGraphQL(`${stack.gateway.url}/graphql`, mutation, {}, { authorization: token }),
    ]);
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    const placed = [a, b].map((r) => (r.body.data?.placeOrder as { id: string }).id);
    expect(new Set(placed).size).toBe(2);
    expect(callsTo(stack, 'orders')).toBe(2);
  });
});

describe('identical operations in flight share one execution (engine.dedup.inboundOperations)', () => {
  let stack: ProxiedStack;
  beforeAll(async () => {
    stack = await startProxiedStack({ engine: { dedup: { inboundOperations: true } } });
  }, 60_000);
  afterAll(async () => stack?.close());

  it('four identical queries from one caller run once', async () => {
    holdEverything(stack);
    const answers = await Promise.all(Array.from({ length: 4 }, () => postGraphQL(`${stack.gateway.url}/graphql`, QUERY)));
    for (const a of answers) expect(a.body).toEqual(answers[0]?.body);
    expect(answers[0]?.body.errors).toBeUndefined();
    expect({ products: callsTo(stack, 'products'), reviews: callsTo(stack, 'reviews'), users: callsTo(stack, 'users') }).toEqual({ products: 1, reviews: 1, users: 1 });
    expect(sampleValue(await scrape(stack.gateway.url), 'engine_deduplicated_total', { kind: 'operation' })).toBe(3);
  });

  it('different variables are different operations', async () => {
    stack.proxy.reset();
    holdEverything(stack);
    const q = 'query One($first: Int) { topProducts(first: $first) { name } }';
    const [a, b] = await Promise.all([
      postGraphQL(`${stack.gateway.url}/graphql`, q, { first: 1 }),
      postGraphQL(`${stack.gateway.url}/graphql`, q, { first: 2 }),
    ]);
    expect((a.body.data?.topProducts as unknown[]).length).toBe(1);
    expect((b.body.data?.topProducts as unknown[]).length).toBe(2);
    expect(callsTo(stack, 'products')).toBe(2);
  });
});

describe('entity fetches, one request at a time (nothing to share)', () => {
  let stack: ProxiedStack;
  beforeAll(async () => {
    stack = await startProxiedStack();
  }, 60_000);
  afterAll(async () => stack?.close());

  it('send each distinct representation once, however often the entity appears', async () => {
    // Every review of a product points back at it: the products fetch for `review.product`
    // would carry each product once per review.
    const res = await postGraphQL(`${stack.gateway.url}/graphql`, 'query Back { topProducts(first: 3) { reviews(first: 3) { product { name } } } }');
    expect(res.body.errors).toBeUndefined();
    const products = (res.body.data?.topProducts as Array<{ reviews: Array<{ product: { name: string } }> }>).flatMap((p) => p.reviews.map((r) => r.product.name));
    const entityCalls = stack.proxy.calls.filter((c) => c.upstream === 'products' && c.body.includes('_entities'));
    expect(entityCalls).toHaveLength(1);
    const sent = (JSON.parse(entityCalls[0]?.body ?? '{}') as { variables: Record<string, unknown> }).variables;
    const representations = Object.values(sent).find(Array.isArray) ?? [];
    expect(representations).toHaveLength(new Set(products).size);
    expect(products.length).toBeGreaterThan(representations.length);
  });

  it('send the plain and the @requires fields of the same entities to one subgraph as one request', async () => {
    stack.proxy.reset();
    const res = await postGraphQL(`${stack.gateway.url}/graphql`, 'query Ship { topProducts(first: 2) { name inStock shippingEstimateCents } }');
    expect(res.body.errors).toBeUndefined();
    const inventory = stack.proxy.calls.filter((c) => c.upstream === 'inventory');
    expect(inventory).toHaveLength(1);
  });
});
