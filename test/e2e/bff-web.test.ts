import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signDevToken } from '../../gateway/auth/index.ts';
import { seedOrders } from '../../subgraphs/orders/data.ts';
import { PRODUCTS_BY_ID } from '../../subgraphs/products/data.ts';
import { startProxiedStack, type ProxiedStack } from '../helpers/proxied-stack.ts';
import type { ProxiedCall } from '../helpers/recording-proxy.ts';
import { postGraphQL, startStack, type Stack } from '../helpers/stack.ts';

/**
 * The web BFF end to end: every demo service, a recording proxy in front of each, and the
 * gateway, over HTTP with dev tokens. Parallel and sequential composition are proven from
 * the proxy's event order (no clocks): hold rules keep a call from going upstream until
 * the calls it must overlap with have arrived, bounded, so sequential code cannot pass.
 */

// The web app's tokens carry users:read:email: its screens show emails (User.email @requiresScopes).
const bearer = async (sub: string): Promise<Record<string, string>> => ({ authorization: `Bearer ${await signDevToken({ sub, scopes: ['users:read:email'] })}` });

const DASHBOARD = `query Dashboard($limit: Int) {
  dashboard {
    profile { id name email avatarUrl tier memberSince }
    orders { id status totalCents formattedTotal placedAt itemCount lines { productId name category quantity unitPriceCents } }
    recommendations(limit: $limit) { degraded items { id name priceCents currency formattedPrice imageUrl category } }
    unreadNotifications
    analytics {
      currency totalSpentCents formattedTotalSpent
      byMonth { key totalCents formattedTotal orderCount }
      byCategory { key totalCents formattedTotal orderCount }
      byStatus { status orderCount totalCents }
    }
  }
}`;

const ORDER_DETAIL = `query OrderDetail($id: ID!) {
  orderDetail(id: $id) {
    id status totalCents formattedTotal placedAt
    customer { id name email avatarUrl }
    lines { quantity unitPriceCents formattedAmount product { id name formattedPrice category } availability { inStock shippingEstimateCents formattedShipping } }
  }
}`;

/** The seed's view of a user's 20 most recent orders, as the dashboard lists them (an oracle independent of the BFF). */
function expectedOrders(userId: string): unknown[] {
  const money = (cents: number): string => `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
  return seedOrders()
    .filter((o) => o.userId === userId)
    .reverse()
    .slice(0, 20)
    .map((o) => ({
      id: o.id,
      status: o.status,
      totalCents: o.totalCents,
      formattedTotal: money(o.totalCents),
      placedAt: o.createdAt,
      itemCount: o.items.reduce((n, i) => n + i.quantity, 0),
      lines: o.items.map((i) => ({
        productId: i.productId,
        name: PRODUCTS_BY_ID.get(i.productId)?.name,
        category: PRODUCTS_BY_ID.get(i.productId)?.category,
        quantity: i.quantity,
        unitPriceCents: i.unitPriceCents,
      })),
    }));
}

const card = (n: number) => {
  const p = PRODUCTS_BY_ID.get(`p${n}`);
  if (!p) throw new Error(`no p${n}`);
  return { id: p.id, name: p.name, priceCents: p.priceCents, currency: 'USD', formattedPrice: `$${(p.priceCents / 100).toFixed(2)}`, imageUrl: p.imageUrl, category: p.category };
};

describe('web BFF (POST /bff/web/graphql)', () => {
  let stack: ProxiedStack;
  let url: string;
  let u1: Record<string, string>;
  let u2: Record<string, string>;

  beforeAll(async () => {
    stack = await startProxiedStack({ upstreamDefaults: { timeoutMs: 5_000 } });
    url = `${stack.gateway.url}/bff/web/graphql`;
    [u1, u2] = await Promise.all([bearer('u1'), bearer('u2')]);
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(() => stack.proxy.reset());

  const first = (predicate: (c: ProxiedCall) => boolean): ProxiedCall => {
    const call = stack.proxy.calls.find(predicate);
    if (!call) throw new Error(`no such call among ${stack.proxy.calls.map((c) => `${c.upstream} ${c.operationName ?? c.path}`).join(', ')}`);
    return call;
  };
  const ofOperation = (name: string) => (c: ProxiedCall) => c.operationName?.startsWith(`${name}__`) === true;

  it("returns u1's exact dashboard", async () => {
    const res = await postGraphQL(url, DASHBOARD, { limit: 4 }, u1);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        dashboard: {
          profile: { id: 'u1', name: 'Ada Lovelace', email: 'ada@example.com', avatarUrl: 'https://cdn.example.com/avatars/u1.png', tier: 'gold', memberSince: '2023-01-01T09:00:00.000Z' },
          orders: expectedOrders('u1'),
          recommendations: { degraded: false, items: [card(37), card(4), card(11), card(18)] },
          unreadNotifications: 3,
          analytics: {
            currency: 'USD',
            // o5..o24 without the 4 CANCELLED ones (o6, o12, o18, o24).
            totalSpentCents: 1802914,
            formattedTotalSpent: '$18,029.14',
            byMonth: [{ key: '2024-01', totalCents: 1802914, formattedTotal: '$18,029.14', orderCount: 16 }],
            byCategory: [
              { key: 'kitchen', totalCents: 508973, formattedTotal: '$5,089.73', orderCount: 13 },
              { key: 'electronics', totalCents: 503982, formattedTotal: '$5,039.82', orderCount: 8 },
              { key: 'books', totalCents: 421978, formattedTotal: '$4,219.78', orderCount: 11 },
              { key: 'outdoors', totalCents: 367981, formattedTotal: '$3,679.81', orderCount: 10 },
            ],
            byStatus: [
              { status: 'PENDING', orderCount: 3, totalCents: 355986 },
              { status: 'PAID', orderCount: 3, totalCents: 302987 },
              { status: 'SHIPPED', orderCount: 3, totalCents: 190988 },
              { status: 'DELIVERED', orderCount: 7, totalCents: 952953 },
              { status: 'CANCELLED', orderCount: 4, totalCents: 385986 },
            ],
          },
        },
      },
    });
    expect(expectedOrders('u1')).toHaveLength(20);
  });

  it("returns u1's exact order detail, and null for someone else's order or an unknown one", async () => {
    const res = await postGraphQL(url, ORDER_DETAIL, { id: 'o22' }, u1);
    expect(res.body).toEqual({
      data: {
        orderDetail: {
          id: 'o22',
          status: 'PENDING',
          totalCents: 156994,
          formattedTotal: '$1,569.94',
          placedAt: '2024-01-22T12:00:00.000Z',
          customer: { id: 'u1', name: 'Ada Lovelace', email: 'ada@example.com', avatarUrl: 'https://cdn.example.com/avatars/u1.png' },
          lines: [
            { quantity: 2, unitPriceCents: 26999, formattedAmount: '$539.98', product: { id: 'p27', name: 'Spice Rack', formattedPrice: '$269.99', category: 'kitchen' }, availability: { inStock: 7, shippingEstimateCents: 0, formattedShipping: 'Free' } },
            { quantity: 3, unitPriceCents: 33999, formattedAmount: '$1,019.97', product: { id: 'p34', name: 'E-Reader', formattedPrice: '$339.99', category: 'electronics' }, availability: { inStock: 4, shippingEstimateCents: 0, formattedShipping: 'Free' } },
            { quantity: 1, unitPriceCents: 999, formattedAmount: '$9.99', product: { id: 'p1', name: 'Graph Theory Primer', formattedPrice: '$9.99', category: 'books' }, availability: { inStock: 7, shippingEstimateCents: 449, formattedShipping: '$4.49' } },
          ],
        },
      },
    });
    // o25 is u2's: answered like a missing order.
    expect((await postGraphQL(url, ORDER_DETAIL, { id: 'o25' }, u1)).body).toEqual({ data: { orderDetail: null } });
    expect((await postGraphQL(url, ORDER_DETAIL, { id: 'o999' }, u1)).body).toEqual({ data: { orderDetail: null } });
  });

  it('fetches the independent parts of the dashboard concurrently; the dependent step waits only for its input', async () => {
    const independent = ['users', 'orders', 'recommendations', 'notifications'];
    const arrived = (calls: readonly ProxiedCall[]) => independent.every((name) => calls.some((c) => c.upstream === name));
    // Nothing of the four goes upstream until all four have arrived: only concurrent code gets there.
    stack.proxy.hold({ match: (c) => independent.includes(c.upstream), until: arrived, timeoutMs: 3_000 });
    // And orders is held until the recommended products are asked for: fetching those must not wait for orders.
    stack.proxy.hold({ match: (c) => c.upstream === 'orders', until: (calls) => calls.some(ofOperation('WebProductCards')), timeoutMs: 3_000 });

    const res = await postGraphQL(url, DASHBOARD, { limit: 4 }, u1);
    expect(res.body.errors).toBeUndefined();

    const calls = independent.map((name) => first((c) => c.upstream === name));
    for (const a of calls) {
      for (const b of calls) expect(a.startSeq, `${a.upstream} started before ${b.upstream} ended`).toBeLessThan(b.endSeq ?? Infinity);
    }
    const recommendations = first((c) => c.upstream === 'recommendations');
    const orders = first((c) => c.upstream === 'orders');
    const cards = first(ofOperation('WebProductCards'));
    expect(recommendations.path).toBe('/users/u1/recommendations?limit=4');
    expect(cards.startSeq, 'product cards after the recommendations answered').toBeGreaterThan(recommendations.endSeq ?? Infinity);
    expect(cards.startSeq, 'product cards before orders answered').toBeLessThan(orders.endSeq ?? -1);
    // orders and analytics share one orders fetch (a per-request loader): the whole screen is
    // six upstream calls (users, orders, recommendations, notifications, product cards, and
    // the products the order lines need), whatever the number of orders.
    expect(stack.proxy.calls.filter((c) => c.upstream === 'orders')).toHaveLength(1);
    expect(stack.proxy.calls).toHaveLength(6);
  });

  it('keeps no loader cache between requests: the same user asking twice fetches twice', async () => {
    const query = `{ dashboard { profile { id } recommendations(limit: 4) { items { id name } } } }`;
    const a = await postGraphQL(url, query, {}, u1);
    const b = await postGraphQL(url, query, {}, u1);
    expect(b.body).toEqual(a.body);
    expect(stack.proxy.calls.filter(ofOperation('WebProductCards'))).toHaveLength(2);
    expect(stack.proxy.calls.filter((c) => c.upstream === 'users')).toHaveLength(2);
  });

  it('batches 20 recommended products into ONE product fetch', async () => {
    const res = await postGraphQL(url, `{ dashboard { recommendations(limit: 20) { degraded items { id } } } }`, {}, u1);
    const items = (res.body.data?.dashboard as { recommendations: { degraded: boolean; items: Array<{ id: string }> } }).recommendations;
    expect(items.degraded).toBe(false);
    expect(items.items).toHaveLength(20);

    const productFetches = stack.proxy.calls.filter((c) => c.upstream === 'products');
    expect(productFetches).toHaveLength(1);
    const sent = JSON.parse(productFetches[0]?.body ?? '{}') as { variables: { ids: string[] } };
    expect(sent.variables.ids).toEqual(items.items.map((i) => i.id));
  });

  it('composes order detail in sequence: the order, then customer, cards and availability side by side, one fetch each', async () => {
    stack.proxy.hold({
      match: (c) => c.upstream === 'users' || ofOperation('WebProductCards')(c),
      until: (calls) => calls.some((c) => c.upstream === 'users') && calls.some(ofOperation('WebProductCards')) && calls.some(ofOperation('WebProductAvailability')),
      timeoutMs: 3_000,
    });
    const res = await postGraphQL(url, ORDER_DETAIL, { id: 'o22' }, u1);
    expect(res.body.errors).toBeUndefined();

    const order = first((c) => c.upstream === 'orders');
    const customer = first((c) => c.upstream === 'users');
    const cards = first(ofOperation('WebProductCards'));
    const availability = first(ofOperation('WebProductAvailability'));
    for (const dependent of [customer, cards, availability]) expect(dependent.startSeq).toBeGreaterThan(order.endSeq ?? Infinity);
    expect(customer.startSeq).toBeLessThan(cards.endSeq ?? -1);
    expect(cards.startSeq).toBeLessThan(customer.endSeq ?? -1);
    // Three lines, one fetch per kind: cards; availability (products, then inventory for @requires).
    expect(stack.proxy.calls.filter(ofOperation('WebProductCards'))).toHaveLength(1);
    expect(stack.proxy.calls.filter((c) => c.upstream === 'inventory')).toHaveLength(1);
    expect(stack.proxy.calls.filter((c) => c.upstream === 'users')).toHaveLength(1);
  });

  it("never serves one user's data to another: concurrent requests, per-request loaders", async () => {
    // Both requests are in flight together: each one's profile fetch waits for the other's.
    stack.proxy.hold({ match: (c) => c.upstream === 'users', until: (calls) => calls.filter((c) => c.upstream === 'users').length >= 2, timeoutMs: 3_000 });
    const query = `{ dashboard { profile { id name } orders { id } recommendations(limit: 4) { items { id } } unreadNotifications } }`;
    const [a, b] = await Promise.all([postGraphQL(url, query, {}, u1), postGraphQL(url, query, {}, u2)]);
    const users = stack.proxy.calls.filter((c) => c.upstream === 'users');
    expect(users).toHaveLength(2);
    expect((users[0]?.startSeq ?? Infinity) < (users[1]?.endSeq ?? -1)).toBe(true);

    expect(a.body).toEqual({
      data: { dashboard: { profile: { id: 'u1', name: 'Ada Lovelace' }, orders: expectedOrders('u1').map((o) => ({ id: (o as { id: string }).id })), recommendations: { items: [{ id: 'p37' }, { id: 'p4' }, { id: 'p11' }, { id: 'p18' }] }, unreadNotifications: 3 } },
    });
    expect(b.body).toEqual({
      data: { dashboard: { profile: { id: 'u2', name: 'Grace Hopper' }, orders: [{ id: 'o26' }, { id: 'o25' }], recommendations: { items: [{ id: 'p38' }, { id: 'p5' }, { id: 'p12' }, { id: 'p19' }] }, unreadNotifications: 3 } },
    });
    // Nothing was cached across the two: each request fetched its own orders and cards.
    expect(stack.proxy.calls.filter(ofOperation('WebRecentOrders')).filter((c) => c.upstream === 'orders')).toHaveLength(2);
    expect(stack.proxy.calls.filter(ofOperation('WebProductCards'))).toHaveLength(2);

    // The same product ids asked again by another user right after: fetched again, not served from a cache.
    stack.proxy.reset();
    const [c, d] = await Promise.all([postGraphQL(url, ORDER_DETAIL, { id: 'o22' }, u1), postGraphQL(url, ORDER_DETAIL, { id: 'o26' }, u2)]);
    expect((c.body.data?.orderDetail as { customer: { name: string } }).customer.name).toBe('Ada Lovelace');
    expect((d.body.data?.orderDetail as { customer: { name: string } }).customer.name).toBe('Grace Hopper');
    expect(stack.proxy.calls.filter((call) => call.upstream === 'users')).toHaveLength(2);
  });

  it('refuses an out-of-range recommendations limit as bad input', async () => {
    const res = await postGraphQL(url, `{ dashboard { recommendations(limit: 21) { degraded } } }`, {}, u1);
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]).toMatchObject({ path: ['dashboard', 'recommendations'], extensions: { code: 'BAD_USER_INPUT', field: 'limit' } });
  });

  it('rate-limits the analytics field per caller, leaving the rest of the dashboard', async () => {
    // 30 a minute, as a sliding window: the 31st within a minute of the first is refused
    // however long the 30 took, until the first is a minute old.
    const u9 = await bearer('u9');
    const query = `{ dashboard { profile { id } analytics { totalSpentCents } } }`;
    for (let i = 0; i < 30; i++) expect((await postGraphQL(url, query, {}, u9)).body.errors).toBeUndefined();
    const limited = await postGraphQL(url, query, {}, u9);
    expect(limited.status).toBe(200);
    expect(limited.body.errors?.[0]).toMatchObject({ path: ['dashboard', 'analytics'], extensions: { code: 'RATE_LIMITED', scope: 'field:Dashboard.analytics' } });
    expect(limited.body.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(30);
    expect(limited.body.data).toEqual({ dashboard: { profile: { id: 'u9' }, analytics: null } });
    // Another caller has its own budget.
    expect((await postGraphQL(url, query, {}, u1)).body.errors).toBeUndefined();
  });

  it('answers an anonymous caller UNAUTHENTICATED', async () => {
    const res = await postGraphQL(url, `{ dashboard { profile { id } } }`);
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('web BFF when upstreams fail', () => {
  let stack: Stack;
  let url: string;
  let u1: Record<string, string>;

  beforeAll(async () => {
    stack = await startStack({
      upstreamDefaults: { timeoutMs: 2_000, retry: { attempts: 1 } },
      // Two failures in a row open the recommendations breaker (for the CIRCUIT_OPEN case).
      upstreams: { recommendations: { breaker: { consecutiveFailures: 2, openMs: 60_000 } } },
    });
    url = `${stack.gateway.url}/bff/web/graphql`;
    u1 = await bearer('u1');
  });
  afterAll(async () => {
    await stack?.close();
  });

  const query = `{ dashboard { profile { name } orders { id } recommendations(limit: 4) { degraded items { id } } unreadNotifications } }`;

  it('renders the dashboard without recommendations when that service is down, then while its breaker is open', async () => {
    await stack.service('recommendations').close();
    for (const code of ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN']) {
      const res = await postGraphQL(url, query, {}, u1);
      expect(res.status).toBe(200);
      const dashboard = res.body.data?.dashboard as { profile: unknown; orders: unknown[]; recommendations: unknown; unreadNotifications: unknown };
      expect(dashboard.profile).toEqual({ name: 'Ada Lovelace' });
      expect(dashboard.orders).toHaveLength(20);
      expect(dashboard.recommendations).toEqual({ degraded: true, items: [] });
      expect(dashboard.unreadNotifications).toBe(3);
      expect(res.body.errors).toEqual([
        { message: expect.any(String), path: ['dashboard', 'recommendations'], extensions: expect.objectContaining({ code, upstream: 'recommendations' }) },
      ]);
    }
  });

  it('answers null with an error for the unread count when notifications is down', async () => {
    await stack.service('notifications').close();
    const res = await postGraphQL(url, query, {}, u1);
    expect((res.body.data?.dashboard as { unreadNotifications: unknown; profile: unknown }).unreadNotifications).toBeNull();
    expect((res.body.data?.dashboard as { profile: unknown }).profile).toEqual({ name: 'Ada Lovelace' });
    expect(res.body.errors).toContainEqual(expect.objectContaining({ path: ['dashboard', 'unreadNotifications'], extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }) }));
  });

  it('keeps the order detail when inventory is down: availability is null per line, with errors', async () => {
    await stack.service('inventory').close();
    const res = await postGraphQL(url, ORDER_DETAIL, { id: 'o22' }, u1);
    const detail = res.body.data?.orderDetail as { customer: { name: string }; lines: Array<{ product: { id: string }; availability: unknown }> };
    expect(detail.customer.name).toBe('Ada Lovelace');
    expect(detail.lines.map((l) => [l.product.id, l.availability])).toEqual([['p27', null], ['p34', null], ['p1', null]]);
    expect(res.body.errors?.map((e) => e.path)).toEqual([
      ['orderDetail', 'lines', 0, 'availability'],
      ['orderDetail', 'lines', 1, 'availability'],
      ['orderDetail', 'lines', 2, 'availability'],
    ]);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('fails a required part as a field error, and keeps serving', async () => {
    await stack.service('users').close();
    const res = await postGraphQL(url, `{ dashboard { orders { id } profile { name } } }`, {}, u1);
    expect(res.status).toBe(200);
    // profile is non-null, and so is dashboard: the failure nulls the screen, with the reason.
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]).toMatchObject({ path: ['dashboard', 'profile'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
    const next = await postGraphQL(url, `{ dashboard { orders { id } } }`, {}, u1);
    expect((next.body.data?.dashboard as { orders: unknown[] }).orders).toHaveLength(20);
  });
});
