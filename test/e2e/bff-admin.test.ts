import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signDevToken } from '../../gateway/auth/index.ts';
import { startProxiedStack, type ProxiedStack } from '../helpers/proxied-stack.ts';
import { postGraphQL } from '../helpers/stack.ts';

/** The admin BFF end to end: the `admin` role at the door, views and mutations over the supergraph. */

// Back-office tokens carry users:read:email: the views show emails (User.email @requiresScopes).
const bearer = async (sub: string, roles: string[] = []): Promise<Record<string, string>> => ({
  authorization: `Bearer ${await signDevToken({ sub, roles, scopes: ['users:read:email'] })}`,
});

const ORDER_FIELDS = `id customerId status totalCents formattedTotal createdAt lines { productId name quantity unitPriceCents }`;

const O26 = {
  id: 'o26',
  customerId: 'u2',
  status: 'SHIPPED',
  totalCents: 148994,
  formattedTotal: '$1,489.94',
  createdAt: '2024-01-26T12:00:00.000Z',
  lines: [
    { productId: 'p39', name: 'Mandoline', quantity: 3, unitPriceCents: 38999 },
    { productId: 'p6', name: 'Mechanical Keyboard', quantity: 1, unitPriceCents: 5999 },
    { productId: 'p13', name: 'Federated Futures', quantity: 2, unitPriceCents: 12999 },
  ],
};
const O25 = {
  id: 'o25',
  customerId: 'u2',
  status: 'DELIVERED',
  totalCents: 80995,
  formattedTotal: '$809.95',
  createdAt: '2024-01-25T12:00:00.000Z',
  lines: [
    { productId: 'p36', name: 'Hammock', quantity: 2, unitPriceCents: 35999 },
    { productId: 'p3', name: 'Chef Knife', quantity: 3, unitPriceCents: 2999 },
  ],
};

describe('admin BFF (POST /bff/admin/graphql)', () => {
  let stack: ProxiedStack;
  let url: string;
  let admin: Record<string, string>;

  beforeAll(async () => {
    // Default retry policy (3 attempts): the no-retry guarantee of mutations is the point.
    stack = await startProxiedStack({ upstreamDefaults: { timeoutMs: 5_000 } });
    url = `${stack.gateway.url}/bff/admin/graphql`;
    admin = await bearer('ops-1', ['admin']);
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(() => stack.proxy.reset());

  const SEARCH = `{ searchUsers(term: "ar") { id name email tier createdAt } }`;

  it('refuses a caller without credentials (401) and a user without the admin role (403), before any upstream call', async () => {
    const anonymous = await postGraphQL(url, SEARCH);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'missing_credentials' });

    const user = await postGraphQL(url, SEARCH, {}, await bearer('u1', ['support']));
    expect(user.status).toBe(403);
    expect(user.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'missing_role', requiredRoles: ['admin'] });
    expect(user.body.data).toBeUndefined();
    expect(stack.proxy.calls).toHaveLength(0);
  });

  it('searches users for an admin', async () => {
    const res = await postGraphQL(url, SEARCH, {}, admin);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        searchUsers: [
          { id: 'u6', name: 'Barbara Liskov', email: 'barbara@example.com', tier: 'bronze', createdAt: '2023-01-06T09:00:00.000Z' },
          { id: 'u8', name: 'Margaret Hamilton', email: 'margaret@example.com', tier: 'silver', createdAt: '2023-01-08T09:00:00.000Z' },
        ],
      },
    });
  });

  it("shows a user's orders, fetching the user and the orders at the same time", async () => {
    stack.proxy.hold({
      match: (c) => c.upstream === 'users' || c.upstream === 'orders',
      until: (calls) => calls.some((c) => c.upstream === 'users') && calls.some((c) => c.upstream === 'orders'),
      timeoutMs: 3_000,
    });
    const res = await postGraphQL(url, `{ userOrders(userId: "u2") { user { id name } orders { ${ORDER_FIELDS} } } }`, {}, admin);
    expect(res.body).toEqual({ data: { userOrders: { user: { id: 'u2', name: 'Grace Hopper' }, orders: [O26, O25] } } });
    const users = stack.proxy.calls.find((c) => c.upstream === 'users');
    const orders = stack.proxy.calls.find((c) => c.upstream === 'orders');
    expect(users && orders && users.startSeq < (orders.endSeq ?? -1) && orders.startSeq < (users.endSeq ?? -1)).toBe(true);

    const filtered = await postGraphQL(url, `{ userOrders(userId: "u2", status: [DELIVERED]) { orders { id } } }`, {}, admin);
    expect(filtered.body).toEqual({ data: { userOrders: { orders: [{ id: 'o25' }] } } });
    expect((await postGraphQL(url, `{ userOrders(userId: "nobody") { user { id } } }`, {}, admin)).body).toEqual({ data: { userOrders: null } });
  });

  it('updates and cancels orders through supergraph mutations, with the subgraph rules as BAD_USER_INPUT', async () => {
    const updated = await postGraphQL(url, `mutation { updateOrderStatus(id: "o26", status: DELIVERED) { ${ORDER_FIELDS} } }`, {}, admin);
    expect(updated.body).toEqual({ data: { updateOrderStatus: { ...O26, status: 'DELIVERED' } } });

    const refused = await postGraphQL(url, `mutation { cancelOrder(id: "o26") { id status } }`, {}, admin);
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors?.[0]).toMatchObject({ message: 'order o26 is DELIVERED and can no longer be cancelled', path: ['cancelOrder'], extensions: { code: 'BAD_USER_INPUT' } });

    // o27 is u3's PAID order.
    const cancelled = await postGraphQL(url, `mutation { cancelOrder(id: "o27") { id status customerId formattedTotal } }`, {}, admin);
    expect(cancelled.body).toEqual({ data: { cancelOrder: { id: 'o27', status: 'CANCELLED', customerId: 'u3', formattedTotal: '$909.93' } } });
    // The other BFFs see it at once: u3's mobile home no longer lists o27 as active.
    const home = await postGraphQL(`${stack.gateway.url}/bff/mobile/graphql`, `{ home { activeOrders { id } } }`, {}, await bearer('u3'));
    expect(home.body).toEqual({ data: { home: { activeOrders: [{ id: 'o28' }] } } });
  });

  it('never retries a mutation, while the same failure on a query is retried', async () => {
    stack.proxy.fail({ match: (c) => c.upstream === 'orders' && c.operationName?.startsWith('AdminUserOrders__') === true, status: 503 });
    const query = await postGraphQL(url, `{ userOrders(userId: "u4") { orders { id } } }`, {}, admin);
    expect(query.body).toEqual({ data: { userOrders: { orders: [{ id: 'o30' }, { id: 'o29' }] } } });
    expect(stack.proxy.calls.filter((c) => c.operationName?.startsWith('AdminUserOrders__orders'))).toHaveLength(2);

    stack.proxy.fail({ match: (c) => c.upstream === 'orders' && c.operationName?.startsWith('AdminUpdateOrderStatus__') === true, status: 503 });
    const mutation = await postGraphQL(url, `mutation { updateOrderStatus(id: "o30", status: PAID) { id status } }`, {}, admin);
    expect(mutation.body.data).toBeNull();
    expect(mutation.body.errors?.[0]).toMatchObject({ path: ['updateOrderStatus'], extensions: { code: 'UPSTREAM_BAD_RESPONSE' } });
    expect(stack.proxy.calls.filter((c) => c.operationName?.startsWith('AdminUpdateOrderStatus__'))).toHaveLength(1);
  });

  it('refuses out-of-range page sizes as bad input', async () => {
    const res = await postGraphQL(url, `{ searchUsers(term: "a", first: 51) { id } }`, {}, admin);
    expect(res.body.errors?.[0]).toMatchObject({ path: ['searchUsers'], extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
  });

  it('rate-limits searchUsers per admin (30 a minute)', async () => {
    // A sliding window: the 31st call within a minute of the first is refused however long
    // the 30 took, until the first is a minute old.
    const busy = await bearer('ops-2', ['admin']);
    for (let i = 0; i < 30; i++) expect((await postGraphQL(url, SEARCH, {}, busy)).body.errors).toBeUndefined();
    const limited = await postGraphQL(url, SEARCH, {}, busy);
    expect(limited.body.errors?.[0]).toMatchObject({ path: ['searchUsers'], extensions: { code: 'RATE_LIMITED', scope: 'field:Query.searchUsers' } });
    expect(limited.body.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(30);
    expect((await postGraphQL(url, SEARCH, {}, admin)).body.errors).toBeUndefined();
  });
});
