import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { RECENT_ORDERS } from '../../bffs/web/loaders.ts';
import type { WebProfileQuery as WebProfileData } from '../../bffs/web/operations.generated.ts';
import { ops, type OrderStatus, type ProductCardData, type RecentOrder } from '../../bffs/web/supergraph-operations.ts';
import { WEB_DASHBOARD_QUERY, WEB_DASHBOARD_RECOMMENDATIONS } from './web-dashboard-query.ts';

/**
 * The baseline for the BFF rows: the web dashboard written by hand as a plain `node:http`
 * server in front of our gateway, the way a team without a BFF framework would write it.
 * It answers exactly one request, `POST /` with the bench's dashboard query
 * (WEB_DASHBOARD_QUERY), with the same `data` our `/bff/web/graphql` door answers, and makes
 * the same upstream calls our web BFF makes for it:
 *
 *  - the same three supergraph operations (WebProfile, WebRecentOrders, WebProductCards: the
 *    texts of bffs/web/operations/*.graphql, printed once at start-up by the BFF's own
 *    loader) over HTTP to the gateway's `POST /graphql`, forwarding the caller's
 *    `Authorization` (the gateway verifies it and runs them as the caller);
 *  - the same two REST calls through the gateway's `/api/v1/<route>/...`: our BFF's REST
 *    client uses the very pipeline the passthrough uses (same route, identity headers,
 *    breaker, retry), so going through /api/v1 makes the gateway send the same two upstream
 *    requests, and the gateway's CPU covers them in both rows.
 *
 * Order, as our resolvers: profile, orders, recommendations and the unread count start
 * together; the product cards wait only for the recommendations. 5 gateway calls → 6
 * upstream requests (users; orders → products; recommendations; products; notifications).
 *
 * No GraphQL library on the request path: the query is compared as a string, the answer is
 * a fixed JSON shape built by hand. The caller's id is read from the token's payload (not
 * verified here: every call it is used in is authenticated by the gateway with the same
 * token, which names the same user). Optional parts degrade as ours do (recommendations
 * `{ degraded: true, items: [] }`, unread count `null`, each with an `errors` entry); a
 * required part failing answers `data: null`. Field rate limits are not implemented (the
 * bench runs with rate limiting off).
 */

export interface HandwrittenBff {
  readonly url: string;
  /** Calls made to the gateway so far, by kind. */
  readonly calls: { graphql: number; rest: number };
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const STATUSES: readonly OrderStatus[] = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'];

class PartError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface GraphQLBody<T> {
  readonly data?: T | null;
  readonly errors?: ReadonlyArray<{ readonly message?: string; readonly extensions?: { readonly code?: string } }>;
}

const formatters = new Map<string, Intl.NumberFormat>();
function money(cents: number, currency: string): string {
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    if (formatters.size < 32) formatters.set(currency, f);
  }
  return f.format(cents / 100);
}

/** The `sub` of a `Bearer <jwt>` header, undefined when there is none. */
function subjectOf(authorization: string | undefined): string | undefined {
  if (!authorization?.startsWith('Bearer ')) return undefined;
  const payload = authorization.slice(7).split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const sub = claims !== null && typeof claims === 'object' ? (claims as Record<string, unknown>).sub : undefined;
    return typeof sub === 'string' && sub.length > 0 ? sub : undefined;
  } catch {
    return undefined;
  }
}

export async function startHandwrittenBff(options: { gatewayUrl: string; port?: number; host?: string }): Promise<HandwrittenBff> {
  const gateway = new Pool(options.gatewayUrl, { connections: 128, keepAliveTimeout: 4_000, connect: { timeout: 2_000 } });
  const calls = { graphql: 0, rest: 0 };

  async function graphql<T>(op: { readonly name: string; readonly text: string }, variables: unknown, authorization: string): Promise<T> {
    calls.graphql++;
    const res = await gateway.request({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization },
      body: JSON.stringify({ query: op.text, operationName: op.name, variables }),
    });
    let body: GraphQLBody<T>;
    try {
      body = (await res.body.json()) as GraphQLBody<T>;
    } catch {
      throw new PartError(`${op.name}: status ${res.statusCode}, body is not JSON`, 'UPSTREAM_BAD_RESPONSE');
    }
    const first = body.errors?.[0];
    if (first || body.data === null || body.data === undefined) {
      throw new PartError(`${op.name}: ${first?.message ?? 'no data'}`, first?.extensions?.code ?? 'UPSTREAM_BAD_RESPONSE');
    }
    return body.data;
  }

  async function rest(path: string, authorization: string): Promise<Record<string, unknown>> {
    calls.rest++;
    const res = await gateway.request({ method: 'GET', path, headers: { accept: 'application/json', authorization } });
    if (res.statusCode < 200 || res.statusCode > 299) {
      await res.body.dump();
      throw new PartError(`${path}: status ${res.statusCode}`, res.statusCode === 429 ? 'RATE_LIMITED' : 'UPSTREAM_UNAVAILABLE');
    }
    const body: unknown = await res.body.json();
    if (body === null || typeof body !== 'object') throw new PartError(`${path}: not an object`, 'UPSTREAM_BAD_RESPONSE');
    return body as Record<string, unknown>;
  }

  async function recommendations(userId: string, authorization: string) {
    const { productIds } = await rest(`/api/v1/recommendations/users/${encodeURIComponent(userId)}/recommendations?limit=${WEB_DASHBOARD_RECOMMENDATIONS}`, authorization);
    if (!Array.isArray(productIds) || !productIds.every((id): id is string => typeof id === 'string')) {
      throw new PartError('recommendations: productIds is not a list of ids', 'UPSTREAM_BAD_RESPONSE');
    }
    // As our DataLoader: each id asked once, none asked for no ids, answered in the service's order.
    const unique = [...new Set(productIds)];
    const found = new Map<string, ProductCardData>();
    if (unique.length > 0) {
      const { products } = await graphql<{ products: ReadonlyArray<ProductCardData | null> }>(ops.WebProductCards, { ids: unique }, authorization);
      for (const p of products) if (p) found.set(p.id, p);
    }
    const items = [];
    for (const id of productIds) {
      const p = found.get(id);
      if (p) items.push({ id: p.id, name: p.name, formattedPrice: money(p.priceCents, p.currency), imageUrl: p.imageUrl, category: p.category });
    }
    return { degraded: false, items };
  }

  async function unread(userId: string, authorization: string): Promise<number> {
    const { unread: count } = await rest(`/api/v1/notifications/users/${encodeURIComponent(userId)}/unread-count`, authorization);
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new PartError('unread: expected a count', 'UPSTREAM_BAD_RESPONSE');
    return count;
  }

  function analytics(orders: readonly RecentOrder[]) {
    const currency = orders[0]?.currency ?? 'USD';
    const byMonth = new Map<string, number>();
    const byCategory = new Map<string, number>();
    const counts = new Map<OrderStatus, number>();
    let totalSpentCents = 0;
    for (const o of orders) {
      counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
      if (o.status === 'CANCELLED' || o.currency !== currency) continue;
      totalSpentCents += o.totalCents;
      const month = o.createdAt.slice(0, 7);
      byMonth.set(month, (byMonth.get(month) ?? 0) + o.totalCents);
      for (const i of o.items) byCategory.set(i.product.category, (byCategory.get(i.product.category) ?? 0) + i.quantity * i.unitPriceCents);
    }
    const buckets = (m: Map<string, number>) => [...m].map(([key, totalCents]) => ({ key, totalCents }));
    return {
      totalSpentCents,
      byMonth: buckets(byMonth).sort((a, b) => (a.key < b.key ? -1 : 1)),
      byCategory: buckets(byCategory).sort((a, b) => b.totalCents - a.totalCents || (a.key < b.key ? -1 : 1)),
      byStatus: STATUSES.map((status) => ({ status, orderCount: counts.get(status) ?? 0 })),
    };
  }

  async function dashboard(authorization: string): Promise<{ status: number; body: unknown }> {
    const userId = subjectOf(authorization);
    if (!userId) return { status: 401, body: { errors: [{ message: 'This screen needs a signed-in user: send a user Bearer token', extensions: { code: 'UNAUTHENTICATED' } }] } };
    const [profile, orders, recs, count] = await Promise.allSettled([
      graphql<WebProfileData>(ops.WebProfile, {}, authorization),
      graphql<{ orders: readonly RecentOrder[] }>(ops.WebRecentOrders, { userId, first: RECENT_ORDERS }, authorization),
      recommendations(userId, authorization),
      unread(userId, authorization),
    ]);
    const errors: Array<{ message: string; path: string[]; extensions: { code: string } }> = [];
    const fail = (field: string, reason: unknown): void => {
      const e = reason instanceof PartError ? reason : new PartError(String(reason), 'UPSTREAM_UNAVAILABLE');
      errors.push({ message: e.message, path: ['dashboard', field], extensions: { code: e.code } });
    };
    if (recs.status === 'rejected') fail('recommendations', recs.reason);
    if (count.status === 'rejected') fail('unreadNotifications', count.reason);
    const me = profile.status === 'fulfilled' ? profile.value.me : null;
    if (profile.status === 'rejected') fail('profile', profile.reason);
    else if (!me) fail('profile', new PartError('The signed-in user has no profile', 'NOT_FOUND'));
    if (orders.status === 'rejected') fail('orders', orders.reason);
    // A required part failed: Dashboard.profile/orders are non-null, so is Query.dashboard.
    if (!me || orders.status === 'rejected') return { status: 200, body: { errors, data: null } };
    const recent = orders.value.orders;
    const data = {
      dashboard: {
        profile: { id: me.id, name: me.name, email: me.email, avatarUrl: me.avatarUrl, tier: me.tier, memberSince: me.createdAt },
        orders: recent.map((o) => {
          let itemCount = 0;
          for (const i of o.items) itemCount += i.quantity;
          return {
            id: o.id,
            status: o.status,
            formattedTotal: money(o.totalCents, o.currency),
            placedAt: o.createdAt,
            itemCount,
            lines: o.items.map((i) => ({ productId: i.product.id, name: i.product.name, category: i.product.category, quantity: i.quantity, unitPriceCents: i.unitPriceCents })),
          };
        }),
        recommendations: recs.status === 'fulfilled' ? recs.value : { degraded: true, items: [] },
        unreadNotifications: count.status === 'fulfilled' ? count.value : null,
        analytics: analytics(recent),
      },
    };
    return { status: 200, body: errors.length > 0 ? { errors, data } : { data } };
  }

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/') return send(res, 404, { errors: [{ message: 'POST / only' }] });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > MAX_BODY) return send(res, 413, { errors: [{ message: 'body too large' }] });
      chunks.push(b);
    }
    let query: unknown;
    try {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      query = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>).query : undefined;
    } catch {
      return send(res, 400, { errors: [{ message: 'body is not JSON' }] });
    }
    if (query !== WEB_DASHBOARD_QUERY) return send(res, 400, { errors: [{ message: 'this BFF answers only the bench web dashboard query' }] });
    const answer = await dashboard(req.headers.authorization ?? '');
    send(res, answer.status, answer.body);
  }

  const server: Server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { errors: [{ message: String(error), extensions: { code: 'INTERNAL' } }] });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
    },
  };
}

// As its own process (run.ts): GATEWAY_URL, PORT; prints `HANDWRITTEN READY <url>`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const gatewayUrl = process.env.GATEWAY_URL;
  if (!gatewayUrl) throw new Error('GATEWAY_URL is required');
  const host = new URL(gatewayUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`loopback gateways only, not ${host}`);
  const bff = await startHandwrittenBff({ gatewayUrl, port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`HANDWRITTEN READY ${bff.url}\n`);
  const stop = (): void => void bff.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
