import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllServices, SERVICES, serviceNamed, startAllServices, type StartedService } from '../../subgraphs/catalog.ts';
import { signAsGateway } from '../helpers/gateway-signature.ts';

/**
 * The demo upstreams on their own: every service on a free loopback port, called over real
 * HTTP. The numbers asserted here are the seed facts the other suites build on. They answer
 * only the gateway, so each call is signed as the gateway signs (test/integration/identity
 * proves what happens otherwise).
 */
let services: StartedService[] = [];

beforeAll(async () => {
  services = await startAllServices({ host: '127.0.0.1', ports: 'free' });
});

afterAll(async () => {
  await closeAllServices(services);
});

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

async function gql(subgraph: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GraphQLBody> {
  const url = serviceNamed(services, subgraph, 'subgraph').url;
  const body = JSON.stringify({ query, variables });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers, ...signAsGateway({ method: 'POST', url, base: url, headers, body }) },
    body,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as GraphQLBody;
}

function rest(name: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<Response> {
  const base = serviceNamed(services, name, 'rest').url;
  const signature = signAsGateway({ method: init.method ?? 'GET', url: `${base}${path}`, base, headers: init.headers ?? {}, body: init.body });
  return fetch(`${base}${path}`, { ...init, headers: { ...init.headers, ...signature } });
}

const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename ...F } }';

describe('every service', () => {
  it('listens on a free loopback port and answers /health', async () => {
    expect(services.map((s) => s.name)).toEqual(SERVICES.map((s) => s.name));
    for (const s of services) {
      const entry = SERVICES.find((e) => e.name === s.name);
      expect(s.port).not.toBe(entry?.defaultPort);
      expect(s.url).toBe(s.kind === 'subgraph' ? `http://127.0.0.1:${s.port}/graphql` : `http://127.0.0.1:${s.port}`);
      const res = await fetch(`http://127.0.0.1:${s.port}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', service: s.name });
    }
  });
});

describe('users subgraph', () => {
  it('answers me from x-user-id, and null without it', async () => {
    const query = '{ me { id name email avatarUrl tier createdAt } }';
    expect((await gql('users', query, {}, { 'x-user-id': 'u1' })).data?.me).toEqual({
      id: 'u1',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      avatarUrl: 'https://cdn.example.com/avatars/u1.png',
      tier: 'gold',
      createdAt: '2023-01-01T09:00:00.000Z',
    });
    expect((await gql('users', query)).data?.me).toBeNull();
  });

  it('lists, looks up and searches users', async () => {
    const body = await gql('users', '{ all: users { id } some: users(ids: ["u3", "nope", "u1"]) { id } user(id: "u12") { name } searchUsers(term: "GRACE") { id } }');
    expect((body.data?.all as unknown[]).length).toBe(12);
    expect(body.data?.some).toEqual([{ id: 'u3' }, { id: 'u1' }]);
    expect(body.data?.user).toEqual({ name: 'Frances Allen' });
    expect(body.data?.searchUsers).toEqual([{ id: 'u2' }]);
  });

  it('resolves N entity representations with one loader batch', async () => {
    const users = serviceNamed(services, 'users', 'subgraph');
    users.resetStats();
    const reps = ['u1', 'u2', 'u3', 'u4', 'u5', 'missing'].map((id) => ({ __typename: 'User', id }));
    const body = await gql('users', `${ENTITIES} fragment F on User { id name }`, { r: reps });
    expect(body.errors).toBeUndefined();
    expect((body.data?._entities as unknown[]).slice(0, 2)).toEqual([
      { __typename: 'User', id: 'u1', name: 'Ada Lovelace' },
      { __typename: 'User', id: 'u2', name: 'Grace Hopper' },
    ]);
    expect((body.data?._entities as unknown[])[5]).toBeNull();
    expect(users.stats()).toEqual({ User: { batches: 1, keys: 6 } });
  });
});

describe('products and inventory subgraphs', () => {
  it('serves the catalog', async () => {
    const body = await gql('products', '{ product(id: "p1") { name priceCents weightGrams currency category } products(ids: ["p2", "p99"]) { id } topProducts(first: 3) { id } }');
    expect(body.data).toEqual({
      product: { name: 'Graph Theory Primer', priceCents: 999, weightGrams: 250, currency: 'USD', category: 'books' },
      products: [{ id: 'p2' }, null],
      topProducts: [{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }],
    });
  });

  it('computes the shipping estimate from the @requires fields, in one stock lookup', async () => {
    const inventory = serviceNamed(services, 'inventory', 'subgraph');
    inventory.resetStats();
    const reps = [
      { __typename: 'Product', id: 'p1', priceCents: 999, weightGrams: 250 },
      { __typename: 'Product', id: 'p6', priceCents: 5999, weightGrams: 500 },
      { __typename: 'Product', id: 'p13', priceCents: 12999, weightGrams: 850 },
    ];
    const body = await gql('inventory', `${ENTITIES} fragment F on Product { id inStock shippingEstimateCents }`, { r: reps });
    expect(body.data?._entities).toEqual([
      { __typename: 'Product', id: 'p1', inStock: 7, shippingEstimateCents: 449 },
      { __typename: 'Product', id: 'p6', inStock: 3, shippingEstimateCents: 0 },
      { __typename: 'Product', id: 'p13', inStock: 0, shippingEstimateCents: 0 },
    ]);
    expect(inventory.stats()).toEqual({ Product: { batches: 1, keys: 3 } });
  });
});

// The identity the gateway forwards (gateway-owned headers; see gateway/upstream/identity.ts).
const asUser = (id: string): Record<string, string> => ({ 'x-user-id': id });
const ADMIN = { 'x-user-id': 'ops-1', 'x-user-roles': 'support admin' };

describe('orders subgraph', () => {
  it("has u1's 24 orders, 12 of them active, newest first", async () => {
    const body = await gql(
      'orders',
      '{ all: orders(userId: "u1", first: 100) { id } active: orders(userId: "u1", status: [PENDING, PAID, SHIPPED], first: 100) { id } o1: order(id: "o1") { status totalCents currency createdAt user { id } items { product { id } quantity unitPriceCents } } }',
      {},
      asUser('u1'),
    );
    const all = body.data?.all as Array<{ id: string }>;
    expect(all).toHaveLength(24);
    expect(all[0]?.id).toBe('o24');
    expect((body.data?.active as unknown[]).length).toBe(12);
    expect(body.data?.o1).toEqual({
      status: 'DELIVERED',
      totalCents: 40995,
      currency: 'USD',
      createdAt: '2024-01-01T12:00:00.000Z',
      user: { id: 'u1' },
      items: [
        { product: { id: 'p4' }, quantity: 2, unitPriceCents: 3999 },
        { product: { id: 'p11' }, quantity: 3, unitPriceCents: 10999 },
      ],
    });
  });

  it('resolves User.orders for many users with one batch', async () => {
    const orders = serviceNamed(services, 'orders', 'subgraph');
    orders.resetStats();
    const reps = ['u1', 'u2', 'u12'].map((id) => ({ __typename: 'User', id }));
    const body = await gql('orders', `${ENTITIES} fragment F on User { id orders(status: [PENDING]) { id } }`, { r: reps }, ADMIN);
    expect(body.data?._entities).toEqual([
      { __typename: 'User', id: 'u1', orders: [{ id: 'o22' }, { id: 'o16' }, { id: 'o10' }, { id: 'o4' }] },
      { __typename: 'User', id: 'u2', orders: [] },
      { __typename: 'User', id: 'u12', orders: [] },
    ]);
    expect(orders.stats()).toEqual({ 'User.orders': { batches: 1, keys: 3 } });
  });

  it("shows an order to its owner and the admin role only: anyone else reads it as missing", async () => {
    const query = '{ order(id: "o25") { id } orders(first: 100) { id } mine: orders(userId: "u2") { id } theirs: orders(userId: "u1") { id } }';
    expect((await gql('orders', query, {}, asUser('u2'))).data).toEqual({
      order: { id: 'o25' },
      orders: [{ id: 'o26' }, { id: 'o25' }],
      mine: [{ id: 'o26' }, { id: 'o25' }],
      theirs: [],
    });
    expect((await gql('orders', query, {}, asUser('u3'))).data).toMatchObject({ order: null, mine: [], theirs: [] });
    expect((await gql('orders', query)).data).toEqual({ order: null, orders: [], mine: [], theirs: [] });
    const admin = (await gql('orders', query, {}, ADMIN)).data as Record<string, unknown[] | null>;
    expect(admin.order).toEqual({ id: 'o25' });
    expect(admin.orders).toHaveLength(44);
    expect(admin.theirs).toHaveLength(20); // the default first: 20

    // Entities too: another subgraph's reference to u1 does not open u1's orders to u2.
    const ref = 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on User { orders(first: 1) { id } } ... on Order { id } } }';
    const reps = [{ __typename: 'User', id: 'u1' }, { __typename: 'Order', id: 'o1' }];
    const entities = (headers: Record<string, string>) => gql('orders', ref, { r: reps }, headers);
    expect((await entities(asUser('u2'))).data?._entities).toEqual([{ __typename: 'User', orders: [] }, null]);
    expect((await entities(asUser('u1'))).data?._entities).toEqual([{ __typename: 'User', orders: [{ id: 'o24' }] }, { __typename: 'Order', id: 'o1' }]);
  });

  it('places, cancels and refuses to cancel orders: the owner or the admin role only', async () => {
    const u12 = asUser('u12');
    const placed = await gql('orders', 'mutation { placeOrder(userId: "u12", items: [{ productId: "p1", quantity: 2 }, { productId: "p2", quantity: 1 }]) { id status totalCents } }', {}, u12);
    expect(placed.data?.placeOrder).toEqual({ id: 'o45', status: 'PENDING', totalCents: 2 * 999 + 1999 });
    // Nobody, or someone else, cannot cancel it; someone else is told it does not exist.
    expect((await gql('orders', 'mutation { cancelOrder(id: "o45") { status } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const notTheirs = await gql('orders', 'mutation { cancelOrder(id: "o45") { status } }', {}, asUser('u1'));
    expect(notTheirs.errors?.[0]).toMatchObject({ message: 'no order o45', extensions: { code: 'NOT_FOUND' } });
    const cancelled = await gql('orders', 'mutation { cancelOrder(id: "o45") { status } }', {}, u12);
    expect(cancelled.data?.cancelOrder).toEqual({ status: 'CANCELLED' });
    const again = await gql('orders', 'mutation { cancelOrder(id: "o45") { status } }', {}, u12);
    expect(again.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await gql('orders', 'mutation { placeOrder(userId: "u1", items: [{ productId: "p999", quantity: 1 }]) { id } }', {}, asUser('u1'));
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const forSomeoneElse = await gql('orders', 'mutation { placeOrder(userId: "u1", items: [{ productId: "p1", quantity: 1 }]) { id } }', {}, u12);
    expect(forSomeoneElse.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const missing = await gql('orders', 'mutation { updateOrderStatus(id: "o999", status: PAID) { id } }', {}, ADMIN);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // The owner may update their order's status; so may an admin, on anyone's.
    expect((await gql('orders', 'mutation { updateOrderStatus(id: "o27", status: SHIPPED) { status } }', {}, asUser('u2'))).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql('orders', 'mutation { updateOrderStatus(id: "o27", status: SHIPPED) { status } }', {}, ADMIN)).data).toEqual({ updateOrderStatus: { status: 'SHIPPED' } });
  });
});

describe('reviews subgraph', () => {
  it('serves 61 reviews over p1..p20 in one batch, none for p21..p40', async () => {
    const reviews = serviceNamed(services, 'reviews', 'subgraph');
    reviews.resetStats();
    const reps = Array.from({ length: 21 }, (_, i) => ({ __typename: 'Product', id: `p${i + 1}` }));
    const body = await gql('reviews', `${ENTITIES} fragment F on Product { id averageRating reviews { id rating author { id } } }`, { r: reps });
    const products = body.data?._entities as Array<{ id: string; averageRating: number | null; reviews: unknown[] }>;
    expect(products.slice(0, 20).reduce((n, p) => n + p.reviews.length, 0)).toBe(61);
    expect(products[0]).toEqual({
      __typename: 'Product',
      id: 'p1',
      averageRating: 3.67,
      reviews: [
        { id: 'r1', rating: 4, author: { id: 'u1' } },
        { id: 'r2', rating: 2, author: { id: 'u2' } },
        { id: 'r3', rating: 5, author: { id: 'u3' } },
      ],
    });
    expect(products[20]).toEqual({ __typename: 'Product', id: 'p21', averageRating: null, reviews: [] });
    expect(reviews.stats()).toEqual({ 'Product.reviews': { batches: 1, keys: 21 } });
  });

  it("lists u1's six reviews", async () => {
    const body = await gql('reviews', `${ENTITIES} fragment F on User { reviews { id } }`, { r: [{ __typename: 'User', id: 'u1' }] });
    expect(body.data?._entities).toEqual([{ __typename: 'User', reviews: ['r1', 'r12', 'r23', 'r34', 'r45', 'r56'].map((id) => ({ id })) }]);
  });
});

describe('notifications REST service', () => {
  it('lists a user’s notifications, newest first, and counts unread', async () => {
    const all = (await (await rest('notifications', '/notifications?userId=u1')).json()) as { items: Array<{ id: string }> };
    expect(all.items.map((n) => n.id)).toEqual(['n5', 'n4', 'n3', 'n2', 'n1']);
    const unread = (await (await rest('notifications', '/notifications?userId=u1&unread=true')).json()) as { items: Array<{ id: string }> };
    expect(unread.items.map((n) => n.id)).toEqual(['n3', 'n2', 'n1']);
    expect(await (await rest('notifications', '/users/u1/unread-count')).json()).toEqual({ userId: 'u1', unread: 3 });
  });

  it('creates, reads, replaces and deletes a notification', async () => {
    const created = await rest('notifications', '/notifications', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u7', kind: 'order', title: 'Shipped', body: 'Your order o31 shipped.' }),
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location');
    expect(location).toBe('/notifications/n21');
    expect(await created.json()).toMatchObject({ id: 'n21', userId: 'u7', read: false, createdAt: '2025-01-01T00:00:00.000Z' });
    expect(await (await rest('notifications', '/users/u7/unread-count')).json()).toEqual({ userId: 'u7', unread: 1 });

    const got = await rest('notifications', location ?? '');
    expect(await got.json()).toMatchObject({ id: 'n21', title: 'Shipped' });

    const put = await rest('notifications', '/notifications/n21', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ read: true }),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ id: 'n21', read: true, title: 'Shipped' });
    expect(await (await rest('notifications', '/users/u7/unread-count')).json()).toEqual({ userId: 'u7', unread: 0 });

    expect((await rest('notifications', '/notifications/n21', { method: 'DELETE' })).status).toBe(204);
    expect((await rest('notifications', '/notifications/n21')).status).toBe(404);
    expect((await rest('notifications', '/notifications/n21', { method: 'DELETE' })).status).toBe(404);
  });

  it('answers bad input and unknown paths with JSON errors', async () => {
    const badJson = await rest('notifications', '/notifications', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":' });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: 'BAD_JSON' });
    const invalid = await rest('notifications', '/notifications', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"x"}' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: 'BAD_REQUEST', message: expect.stringContaining('userId') });
    const unknown = await rest('notifications', '/nothing/here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/json');
    const wrongMethod = await rest('notifications', '/notifications', { method: 'PATCH' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST');
  });

  it('echoes a body byte for byte and waits on /slow (testing aids)', async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    const echoed = await rest('notifications', '/echo', { method: 'PUT', headers: { 'content-type': 'application/x-demo' }, body: bytes });
    expect(echoed.status).toBe(200);
    expect(echoed.headers.get('content-type')).toBe('application/x-demo');
    expect(Buffer.from(await echoed.arrayBuffer()).equals(bytes)).toBe(true);

    const started = performance.now();
    const slow = await rest('notifications', '/slow?ms=100');
    expect(await slow.json()).toEqual({ waitedMs: 100 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });
});

describe('recommendations REST service', () => {
  it('recommends deterministically from the user id', async () => {
    expect(await (await rest('recommendations', '/users/u1/recommendations?limit=3')).json()).toEqual({ userId: 'u1', productIds: ['p37', 'p4', 'p11'] });
    const defaults = (await (await rest('recommendations', '/users/u1/recommendations')).json()) as { productIds: string[] };
    expect(defaults.productIds).toHaveLength(5);
    expect((await rest('recommendations', '/users/u1/recommendations?limit=0')).status).toBe(400);
  });
});
