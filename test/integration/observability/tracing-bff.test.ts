import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { signDevToken } from '../../../gateway/auth/index.ts';
import { startTracing, type Tracing } from '../../../gateway/telemetry/tracing.ts';
import { requireSharedRedis, uniqueKeyPrefix } from '../../helpers/redis-shared.ts';
import { postGraphQL, startStack, type Stack } from '../../helpers/stack.ts';

/**
 * A BFF request's trace, end to end on loopback: the demo services, a gateway whose rate
 * limits live in the shared Redis, and an in-memory exporter that sees every span. One
 * request is one trace: the request's span, its `rate_limit.check`, a `bff.resolve` span
 * per step of the screen, the `bff.supergraph` / `bff.rest` calls each step made and,
 * under those, the upstream calls.
 */
const DASHBOARD = `query Dashboard {
  dashboard {
    profile { id name }
    orders { id formattedTotal lines { productId } }
    recommendations(limit: 3) { degraded items { id formattedPrice } }
    unreadNotifications
    analytics { totalSpentCents }
  }
}`;

const ORDER_DETAIL = `query OrderDetail($id: ID!) {
  orderDetail(id: $id) {
    id formattedTotal placedAt
    customer { name }
    lines { formattedAmount product { name } availability { inStock } }
  }
}`;

/** The screen's parts, each a resolver the web BFF defines. */
const DASHBOARD_STEPS = ['Query.dashboard', 'Dashboard.profile', 'Dashboard.orders', 'Dashboard.recommendations', 'Dashboard.unreadNotifications', 'Dashboard.analytics'];

describe('tracing a BFF request (Redis-backed rate limits, in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let stack: Stack;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const redisUrl = await requireSharedRedis();
    tracing = await startTracing({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    stack = await startStack({
      redis: { url: redisUrl },
      rateLimit: {
        redis: { keyPrefix: uniqueKeyPrefix('tracing-bff'), timeoutMs: 2_000 },
        // The REST route gets a bucket of one, so the second call is denied.
        routes: { notifications: { limit: 1 } },
      },
      upstreamDefaults: { retry: { attempts: 1 } },
    });
    // The screens show contact details, which the users subgraph gives with this scope only.
    auth = { authorization: `Bearer ${await signDevToken({ sub: 'u1', tier: 'premium', scopes: ['users:read:email'] })}` };
  });
  afterAll(async () => {
    await stack?.close();
    await tracing?.shutdown();
  });
  beforeEach(() => exporter.reset());

  it('a dashboard is one trace: rate-limit check and one span per BFF step under the request span, supergraph and REST calls under the steps, upstream calls under those', async () => {
    const res = await postGraphQL(`${stack.gateway.url}/bff/web/graphql`, DASHBOARD, {}, auth);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const spans = await spansUntil(exporter, (all) => all.some((s) => s.kind === SpanKind.SERVER));
    const tree = new SpanTree(spans);

    const server = only(spans.filter((s) => s.kind === SpanKind.SERVER));
    expect(server.name).toBe('POST /bff/web/graphql');
    expect(server.parentSpanContext).toBeUndefined();
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([server.spanContext().traceId]));
    for (const s of spans) expect(tree.rootOf(s)).toBe(server);

    // The inbound rate-limit decision, made in Redis, is a child span of the request.
    const check = tree.named('rate_limit.check');
    expect(tree.parentOf(check)).toBe(server);
    expect(check.attributes).toMatchObject({
      'rate_limit.store': 'redis',
      'rate_limit.tier': 'premium',
      'rate_limit.scope': 'global',
      'rate_limit.allowed': true,
      'rate_limit.reason': 'within-limit',
    });
    expect(check.events.map((e) => e.name)).toEqual(['rate_limit.decision']);

    // One span per step of the screen, each a child of the request span.
    const steps = spans.filter((s) => s.name.startsWith('bff.resolve '));
    expect(steps.map((s) => s.name.slice('bff.resolve '.length)).sort()).toEqual([...DASHBOARD_STEPS].sort());
    for (const step of steps) expect(tree.parentOf(step)).toBe(server);
    expect(tree.named('bff.resolve Dashboard.profile').attributes).toMatchObject({ 'graphql.field.name': 'profile', 'graphql.field.path': 'dashboard.profile' });

    // What each step called, under it.
    const step = (field: string): ReadableSpan => tree.named(`bff.resolve ${field}`);
    expect(tree.parentOf(tree.named('bff.supergraph WebProfile'))).toBe(step('Dashboard.profile'));
    // `orders` and `analytics` share one fetch: under whichever of the two asked first.
    expect([step('Dashboard.orders'), step('Dashboard.analytics')]).toContain(tree.parentOf(tree.named('bff.supergraph WebRecentOrders')));
    expect(tree.parentOf(tree.named('bff.rest recommendations'))).toBe(step('Dashboard.recommendations'));
    expect(tree.parentOf(tree.named('bff.supergraph WebProductCards'))).toBe(step('Dashboard.recommendations'));
    expect(tree.parentOf(tree.named('bff.rest notifications'))).toBe(step('Dashboard.unreadNotifications'));
    expect(tree.named('bff.supergraph WebProfile').attributes).toMatchObject({ 'graphql.operation.name': 'WebProfile', 'graphql.operation.type': 'query' });
    expect(spans.filter((s) => s.name.startsWith('bff.supergraph ') || s.name.startsWith('bff.rest ')).length).toBe(5);

    // Every upstream call of the screen (6) sits under the BFF call that caused it.
    const upstream = spans.filter((s) => s.kind === SpanKind.CLIENT);
    const cause = (s: ReadableSpan): string | undefined => tree.ancestors(s).find((a) => a.name.startsWith('bff.supergraph ') || a.name.startsWith('bff.rest '))?.name;
    expect(upstream.map((s) => `${cause(s)} → ${String(s.attributes['upstream.name'])}`).sort()).toEqual(
      [
        'bff.supergraph WebProfile → users',
        'bff.supergraph WebRecentOrders → orders',
        'bff.supergraph WebRecentOrders → products',
        'bff.supergraph WebProductCards → products',
        'bff.rest recommendations → recommendations',
        'bff.rest notifications → notifications',
      ].sort(),
    );
    // A REST call's upstream span is the direct child of its bff.rest span.
    const restCall = only(upstream.filter((s) => s.attributes['upstream.name'] === 'notifications'));
    expect(tree.parentOf(restCall)).toBe(tree.named('bff.rest notifications'));
    // The in-process supergraph run (plan, fetches) nests under its operation's span.
    for (const op of ['WebProfile', 'WebRecentOrders', 'WebProductCards']) {
      const gatewayRequest = spans.filter((s) => s.name === 'gateway.request' && tree.parentOf(s) === tree.named(`bff.supergraph ${op}`));
      expect(gatewayRequest, op).toHaveLength(1);
    }
  });

  it('steps inside lists and resolvers that only reshape their parent get no span; their batched lookups do', async () => {
    const res = await postGraphQL(`${stack.gateway.url}/bff/web/graphql`, ORDER_DETAIL, { id: 'o22' }, auth);
    expect(res.body.errors).toBeUndefined();
    const lines = (res.body.data?.orderDetail as { lines: unknown[] }).lines;
    expect(lines.length).toBeGreaterThan(1);
    const spans = await spansUntil(exporter, (all) => all.some((s) => s.kind === SpanKind.SERVER));
    const tree = new SpanTree(spans);
    const server = only(spans.filter((s) => s.kind === SpanKind.SERVER));

    // Query.orderDetail and OrderDetail.customer take the context; formattedTotal, placedAt,
    // lines and formattedAmount do not; product and availability run once per line.
    expect(spans.filter((s) => s.name.startsWith('bff.resolve ')).map((s) => s.name).sort()).toEqual(['bff.resolve OrderDetail.customer', 'bff.resolve Query.orderDetail']);
    expect(tree.parentOf(tree.named('bff.supergraph WebOrder'))).toBe(tree.named('bff.resolve Query.orderDetail'));
    expect(tree.parentOf(tree.named('bff.supergraph WebCustomers'))).toBe(tree.named('bff.resolve OrderDetail.customer'));
    // Every line's card and availability: one operation each, straight under the request.
    expect(tree.parentOf(tree.named('bff.supergraph WebProductCards'))).toBe(server);
    expect(tree.parentOf(tree.named('bff.supergraph WebProductAvailability'))).toBe(server);
  });

  it('a denied request has a rate_limit.check span saying why, and nothing below the limit runs', async () => {
    const call = async (): Promise<ReadableSpan[]> => {
      exporter.reset();
      const r = await fetch(`${stack.gateway.url}/api/v1/notifications/notifications?userId=u1`);
      await r.arrayBuffer();
      return spansUntil(exporter, (all) => all.some((s) => s.kind === SpanKind.SERVER));
    };
    const first = new SpanTree(await call());
    expect(first.named('rate_limit.check').attributes).toMatchObject({ 'rate_limit.allowed': true, 'rate_limit.scope': 'route:notifications' });

    const spans = await call();
    const tree = new SpanTree(spans);
    const server = only(spans.filter((s) => s.kind === SpanKind.SERVER));
    expect(server.attributes['http.response.status_code']).toBe(429);
    expect(server.attributes['error.type']).toBe('RATE_LIMITED');
    const check = tree.named('rate_limit.check');
    expect(tree.parentOf(check)).toBe(server);
    expect(check.attributes).toEqual({
      'rate_limit.store': 'redis',
      'rate_limit.tier': 'anonymous',
      'rate_limit.scope': 'route:notifications',
      'rate_limit.allowed': false,
      'rate_limit.reason': 'limit-exceeded',
    });
    // A denial is the limiter working, not a failed span.
    expect(check.status.code).toBe(0);
    expect(spans.filter((s) => s.kind === SpanKind.CLIENT)).toEqual([]);
  });
});

/** Parent and ancestor lookups over one batch of finished spans. */
class SpanTree {
  readonly #byId: ReadonlyMap<string, ReadableSpan>;
  constructor(private readonly spans: readonly ReadableSpan[]) {
    this.#byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  }
  named(name: string): ReadableSpan {
    return only(this.spans.filter((s) => s.name === name));
  }
  parentOf(span: ReadableSpan): ReadableSpan | undefined {
    return span.parentSpanContext ? this.#byId.get(span.parentSpanContext.spanId) : undefined;
  }
  ancestors(span: ReadableSpan): ReadableSpan[] {
    const out: ReadableSpan[] = [];
    for (let p = this.parentOf(span); p && out.length < 50; p = this.parentOf(p)) out.push(p);
    return out;
  }
  rootOf(span: ReadableSpan): ReadableSpan {
    return this.ancestors(span).at(-1) ?? span;
  }
}

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

/** The server span ends when the response has closed, a moment after the client has it: wait (bounded). */
async function spansUntil(exporter: InMemorySpanExporter, done: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
  const until = Date.now() + 5_000;
  while (!done(exporter.getFinishedSpans()) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  return exporter.getFinishedSpans();
}
