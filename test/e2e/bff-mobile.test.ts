import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signDevToken } from '../../gateway/auth/index.ts';
import { startProxiedStack, type ProxiedStack } from '../helpers/proxied-stack.ts';
import type { ProxiedCall } from '../helpers/recording-proxy.ts';
import { postGraphQL } from '../helpers/stack.ts';

/** The mobile BFF end to end: every demo service behind a recording proxy, the gateway, dev tokens. */

const bearer = async (sub: string): Promise<Record<string, string>> => ({ authorization: `Bearer ${await signDevToken({ sub })}` });

const HOME = `{ home { user { name avatarUrl } activeOrders { id status formattedTotal itemCount placedAt } unreadNotifications } }`;
const ORDER = `query Order($id: ID!) { order(id: $id) { id status formattedTotal placedAt lines { productId name imageUrl quantity formattedAmount } } }`;

describe('mobile BFF (POST /bff/mobile/graphql)', () => {
  let stack: ProxiedStack;
  let url: string;

  beforeAll(async () => {
    stack = await startProxiedStack({ upstreamDefaults: { timeoutMs: 5_000, retry: { attempts: 1 } } });
    url = `${stack.gateway.url}/bff/mobile/graphql`;
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(() => stack.proxy.reset());

  it("returns u1's exact home screen: 5 most recent active orders, formatted totals, unread count", async () => {
    const res = await postGraphQL(url, HOME, {}, await bearer('u1'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        home: {
          user: { name: 'Ada Lovelace', avatarUrl: 'https://cdn.example.com/avatars/u1.png' },
          // u1's PENDING/PAID/SHIPPED orders are o2–o4, o8–o10, o14–o16, o20–o22; the 5 newest:
          activeOrders: [
            { id: 'o22', status: 'PENDING', formattedTotal: '$1,569.94', itemCount: 6, placedAt: '2024-01-22T12:00:00.000Z' },
            { id: 'o21', status: 'PAID', formattedTotal: '$859.97', itemCount: 3, placedAt: '2024-01-21T12:00:00.000Z' },
            { id: 'o20', status: 'SHIPPED', formattedTotal: '$629.97', itemCount: 3, placedAt: '2024-01-20T12:00:00.000Z' },
            { id: 'o16', status: 'PENDING', formattedTotal: '$179.98', itemCount: 2, placedAt: '2024-01-16T12:00:00.000Z' },
            { id: 'o15', status: 'PAID', formattedTotal: '$1,189.93', itemCount: 7, placedAt: '2024-01-15T12:00:00.000Z' },
          ],
          unreadNotifications: 3,
        },
      },
    });
  });

  it('returns the exact home screens of u2 (one active order), u5 (nothing unread) and u12 (no orders)', async () => {
    const [u2, u5, u12] = await Promise.all(['u2', 'u5', 'u12'].map(async (u) => postGraphQL(url, HOME, {}, await bearer(u))));
    expect(u2?.body).toEqual({
      data: {
        home: {
          user: { name: 'Grace Hopper', avatarUrl: 'https://cdn.example.com/avatars/u2.png' },
          activeOrders: [{ id: 'o26', status: 'SHIPPED', formattedTotal: '$1,489.94', itemCount: 6, placedAt: '2024-01-26T12:00:00.000Z' }],
          unreadNotifications: 3,
        },
      },
    });
    expect(u5?.body).toEqual({
      data: {
        home: {
          user: { name: 'Edsger Dijkstra', avatarUrl: 'https://cdn.example.com/avatars/u5.png' },
          // o31 (DELIVERED) and o32 (SHIPPED: 3 × p17) are u5's.
          activeOrders: [{ id: 'o32', status: 'SHIPPED', formattedTotal: '$509.97', itemCount: 3, placedAt: '2024-02-01T12:00:00.000Z' }],
          unreadNotifications: 0,
        },
      },
    });
    expect(u12?.body).toEqual({
      data: { home: { user: { name: 'Frances Allen', avatarUrl: 'https://cdn.example.com/avatars/u12.png' }, activeOrders: [], unreadNotifications: 0 } },
    });
  });

  it("fetches the home screen's three parts concurrently, one upstream call each", async () => {
    const parts = ['users', 'orders', 'notifications'];
    stack.proxy.hold({ match: (c) => parts.includes(c.upstream), until: (calls) => parts.every((p) => calls.some((c) => c.upstream === p)), timeoutMs: 3_000 });
    const res = await postGraphQL(url, HOME, {}, await bearer('u1'));
    expect(res.body.errors).toBeUndefined();
    const calls = parts.map((p) => stack.proxy.calls.find((c) => c.upstream === p) as ProxiedCall);
    for (const a of calls) for (const b of calls) expect(a.startSeq).toBeLessThan(b.endSeq ?? Infinity);
    // A small screen is small upstream too: users, orders and the unread count, nothing else.
    expect(stack.proxy.calls.map((c) => c.upstream).sort()).toEqual(['notifications', 'orders', 'users']);
    expect(stack.proxy.calls.find((c) => c.upstream === 'notifications')?.path).toBe('/users/u1/unread-count');
  });

  it("forwards the caller's identity to every upstream call", async () => {
    const res = await postGraphQL(url, `{ home { user { name } activeOrders { id } unreadNotifications } }`, {}, await bearer('u3'));
    expect(res.body.data).toEqual({ home: { user: { name: 'Alan Turing' }, activeOrders: [{ id: 'o28' }, { id: 'o27' }], unreadNotifications: 3 } });
    expect(stack.proxy.calls).toHaveLength(3);
    for (const call of stack.proxy.calls) {
      expect(call.headers, call.upstream).toMatchObject({ 'x-user-id': 'u3', 'x-gateway-client': 'mobile' });
      // The token stays at the gateway: upstreams trust the gateway-owned headers instead.
      expect(call.headers.authorization, call.upstream).toBeUndefined();
    }
  });

  it("returns the caller's own order exactly, and null for someone else's", async () => {
    const u1 = await bearer('u1');
    const res = await postGraphQL(url, ORDER, { id: 'o1' }, u1);
    expect(res.body).toEqual({
      data: {
        order: {
          id: 'o1',
          status: 'DELIVERED',
          formattedTotal: '$409.95',
          placedAt: '2024-01-01T12:00:00.000Z',
          lines: [
            { productId: 'p4', name: 'Trail Backpack', imageUrl: 'https://cdn.example.com/products/p4.jpg', quantity: 2, formattedAmount: '$79.98' },
            { productId: 'p11', name: 'Pour-Over Kettle', imageUrl: 'https://cdn.example.com/products/p11.jpg', quantity: 3, formattedAmount: '$329.97' },
          ],
        },
      },
    });
    expect((await postGraphQL(url, ORDER, { id: 'o25' }, u1)).body).toEqual({ data: { order: null } });
  });

  it('answers an anonymous caller UNAUTHENTICATED, without calling any upstream', async () => {
    const res = await postGraphQL(url, HOME);
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.proxy.calls).toHaveLength(0);
  });

  it('rate-limits the home screen per caller (60 a minute)', async () => {
    // A sliding window: the 61st call within a minute of the first is refused however long
    // the 60 took, and room comes back when the first is a minute old (a bucket refilling a
    // token a second would have let the 61st through after a slow second, and said "retry in 1 s").
    const u7 = await bearer('u7');
    const query = `{ home { user { name } } }`;
    for (let i = 0; i < 60; i++) expect((await postGraphQL(url, query, {}, u7)).body.errors).toBeUndefined();
    const limited = await postGraphQL(url, query, {}, u7);
    expect(limited.body.data).toBeNull();
    expect(limited.body.errors?.[0]).toMatchObject({ path: ['home'], extensions: { code: 'RATE_LIMITED', scope: 'field:Query.home', reason: 'limit-exceeded' } });
    expect(limited.body.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(30);
    expect((await postGraphQL(url, query, {}, await bearer('u8'))).body.errors).toBeUndefined();
  });

  it('answers the unread count null with an error when notifications is down, and the rest of home', async () => {
    await stack.service('notifications').close();
    const res = await postGraphQL(url, HOME, {}, await bearer('u1'));
    expect(res.status).toBe(200);
    const home = res.body.data?.home as { user: { name: string }; activeOrders: unknown[]; unreadNotifications: unknown };
    expect(home.user.name).toBe('Ada Lovelace');
    expect(home.activeOrders).toHaveLength(5);
    expect(home.unreadNotifications).toBeNull();
    expect(res.body.errors).toEqual([
      { message: expect.any(String), locations: expect.any(Array), path: ['home', 'unreadNotifications'], extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }) },
    ]);
  });
});

describe('mobile BFF: the caller\'s deadline reaches the supergraph calls it makes', () => {
  let stack: ProxiedStack;
  beforeAll(async () => {
    // The upstream timeout (10 s) is far longer than the request's deadline (1.5 s): only the
    // deadline, carried from the edge through the in-process supergraph client, can cut the call.
    stack = await startProxiedStack({ server: { requestTimeoutMs: 1_500 }, upstreamDefaults: { timeoutMs: 10_000, retry: { attempts: 1 } } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('an orders call held past the deadline fails UPSTREAM_TIMEOUT instead of waiting for the upstream', async () => {
    // Held for 5 s, then let through: without the deadline the screen would render in full.
    stack.proxy.hold({ match: (c) => c.upstream === 'orders', until: () => false, timeoutMs: 5_000 });
    const res = await postGraphQL(`${stack.gateway.url}/bff/mobile/graphql`, HOME, {}, await bearer('u1'));
    const codes = (res.body.errors ?? []).map((e) => e.extensions?.code);
    expect(codes).toContain('UPSTREAM_TIMEOUT');
    expect(res.body.errors?.find((e) => e.extensions?.code === 'UPSTREAM_TIMEOUT')?.path).toEqual(['home', 'activeOrders']);
    // The call did start: it was cut, not skipped.
    expect(stack.proxy.calls.some((c) => c.upstream === 'orders')).toBe(true);
  });
});
