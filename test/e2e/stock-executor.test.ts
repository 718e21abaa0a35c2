import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../gateway/auth/index.ts';
import { WEB_DASHBOARD_QUERY } from '../bench/web-dashboard-query.ts';
import { postGraphQL, startStack, type Stack } from '../helpers/stack.ts';

/**
 * `engine.executor: stock` (kept for one release to compare and fall back): /graphql and
 * the BFFs are served by @apollo/gateway planning and executing, and answer as our engine
 * does. Both stacks run side by side over their own demo services; the same requests go to
 * both.
 */
const QUERY = 'query Top { topProducts(first: 3) { name priceCents inStock shippingEstimateCents reviews(first: 2) { rating author { name } } } }';

describe('engine.executor: stock', () => {
  let stock: Stack;
  let ours: Stack;
  let authorization: string;
  beforeAll(async () => {
    [stock, ours] = await Promise.all([startStack({ engine: { executor: 'stock' } }), startStack()]);
    authorization = `Bearer ${await signDevToken({ sub: 'u1', scopes: ['users:read:email'] })}`;
  }, 60_000);
  afterAll(async () => {
    await Promise.all([stock?.close(), ours?.close()]);
  });

  it('serves /graphql with @apollo/gateway, answering as the engine does', async () => {
    expect(stock.gateway.config.engine.executor).toBe('stock');
    const [a, b] = await Promise.all([postGraphQL(`${stock.gateway.url}/graphql`, QUERY), postGraphQL(`${ours.gateway.url}/graphql`, QUERY)]);
    expect(a.status).toBe(200);
    expect(a.body.errors).toBeUndefined();
    expect(JSON.stringify(a.body)).toBe(JSON.stringify(b.body));
  });

  it('runs the BFFs through the supergraph door, with the same screen', async () => {
    const [a, b] = await Promise.all([
      postGraphQL(`${stock.gateway.url}/bff/web/graphql`, WEB_DASHBOARD_QUERY, {}, { authorization }),
      postGraphQL(`${ours.gateway.url}/bff/web/graphql`, WEB_DASHBOARD_QUERY, {}, { authorization }),
    ]);
    expect(a.body.errors).toBeUndefined();
    expect(JSON.stringify(a.body.data)).toBe(JSON.stringify(b.body.data));
  });

  it('still enforces @authenticated on /graphql for anonymous callers', async () => {
    const res = await postGraphQL(`${stock.gateway.url}/graphql`, '{ user(id: "u1") { name email } }');
    expect(res.body.errors?.map((e) => (e.extensions as { code?: string } | undefined)?.code)).toContain('UNAUTHENTICATED');
  });
});
