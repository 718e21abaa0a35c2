import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { closeAllServices, startAllServices, type StartedService } from '../../../subgraphs/catalog.ts';
import { signDevToken } from '../../../gateway/auth/index.ts';
import { demoConfig } from '../../../gateway/cli/demo-config.ts';
import type { Gateway } from '../../../gateway/app.ts';
import { startTracing, type Tracing } from '../../../gateway/telemetry/tracing.ts';
import { inSpan, withSpan } from '../../../gateway/telemetry/spans.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { startForwardingServer } from '../../helpers/forwarding-server.ts';
import type { TestServer } from '../../helpers/http-server.ts';
import { postGraphQL } from '../../helpers/stack.ts';

/**
 * Tracing end to end on loopback: a real gateway in front of the demo subgraphs, each
 * behind a forwarding server that records the headers the gateway sent, and an in-memory
 * exporter that sees every span the process ends.
 */
const THREE_SUBGRAPHS = ['users', 'orders', 'products'] as const;
const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-0[01]$/;

describe('tracing (OpenTelemetry SDK, in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let services: StartedService[];
  const forwarders = new Map<string, TestServer>();
  let gateway: Gateway;

  beforeAll(async () => {
    tracing = await startTracing({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    services = await startAllServices({ ports: 'free' });
    const routed = [];
    for (const s of services) {
      const f = await startForwardingServer(s.url);
      forwarders.set(s.name, f);
      routed.push({ name: s.name, kind: s.kind, url: f.urlWithPath });
    }
    gateway = await startGateway({ ...demoConfig(routed), upstreamDefaults: { retry: { attempts: 1 } } });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([...forwarders.values()].map((f) => f.close()));
    await closeAllServices(services ?? []);
    await tracing?.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    for (const f of forwarders.values()) f.requests.length = 0;
  });

  it('is on when span processors are given', () => {
    expect(tracing.enabled).toBe(true);
  });

  it('a query over three subgraphs is one trace: the request span, Apollo’s spans and one client span per subgraph call, and each subgraph got that trace’s traceparent', async () => {
    // As u1: orders are visible to their owner only.
    const auth = { authorization: `Bearer ${await signDevToken({ sub: 'u1' })}` };
    const res = await postGraphQL(`${gateway.url}/graphql`, 'query ThreeSubgraphs { user(id: "u1") { name orders(first: 1) { id items { product { name } } } } }', undefined, auth);
    expect(res.body.errors).toBeUndefined();
    const spans = await spansUntil(exporter, (all) => all.some((s) => s.kind === SpanKind.SERVER));

    const server = only(spans.filter((s) => s.kind === SpanKind.SERVER));
    const traceId = server.spanContext().traceId;
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
    expect(server.name).toBe('POST /graphql');
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/graphql', 'http.response.status_code': 200, 'graphql.operation.name': 'ThreeSubgraphs' });

    // Every span hangs off the request's span: the tree is connected.
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    for (const s of spans) expect(rootOf(s, byId)).toBe(server);
    const names = spans.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['graphql.parse', 'graphql.validate', 'gateway.request', 'gateway.plan', 'gateway.execute', 'gateway.fetch']));

    const clients = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(clients.map((s) => s.attributes['upstream.name']).sort()).toEqual([...THREE_SUBGRAPHS].sort());
    for (const c of clients) {
      const name = String(c.attributes['upstream.name']);
      const forwarder = forwarders.get(name) as TestServer;
      expect(c.name).toBe(`POST ${name}`);
      expect(c.attributes).toMatchObject({
        'upstream.kind': 'subgraph',
        'http.request.method': 'POST',
        'server.address': '127.0.0.1',
        'server.port': forwarder.port,
        'url.full': `${forwarder.url}/graphql`,
        'http.response.status_code': 200,
        'upstream.breaker.state': 'closed',
      });
      expect(byId.get(c.parentSpanContext?.spanId ?? '')?.name).toBe('gateway.fetch');
      // The subgraph saw this trace, with the client span as its parent.
      const [received] = forwarder.requests;
      const m = TRACEPARENT.exec(String(received?.headers.traceparent));
      expect(m?.[1]).toBe(traceId);
      expect(m?.[2]).toBe(c.spanContext().spanId);
    }
    for (const name of ['reviews', 'inventory', 'notifications', 'recommendations']) expect(forwarders.get(name)?.requests).toHaveLength(0);
  });

  it('continues the client’s trace: its traceparent is the request span’s parent, and upstreams get ours, not the client’s', async () => {
    const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const clientParent = '00f067aa0ba902b7';
    const res = await fetch(`${gateway.url}/api/v1/notifications/notifications?userId=u1`, {
      headers: { traceparent: `00-${clientTrace}-${clientParent}-01`, tracestate: 'vendor=opaque' },
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const spans = await spansUntil(exporter, (all) => all.some((s) => s.kind === SpanKind.SERVER));
    const server = only(spans.filter((s) => s.kind === SpanKind.SERVER));
    expect(server.spanContext().traceId).toBe(clientTrace);
    expect(server.parentSpanContext?.spanId).toBe(clientParent);
    expect(server.name).toBe('GET /api/v1/{notifications}');

    const call = only(spans.filter((s) => s.kind === SpanKind.CLIENT));
    expect(call.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(call.attributes).toMatchObject({ 'upstream.name': 'notifications', 'upstream.kind': 'rest', 'http.response.status_code': 200 });
    // The query string (which can carry credentials) is not part of url.full.
    expect(String(call.attributes['url.full'])).not.toContain('?');

    const received = forwarders.get('notifications')?.requests[0];
    expect(received?.headers.traceparent).toBe(`00-${clientTrace}-${call.spanContext().spanId}-01`);
    // tracestate is carried in the span context and propagated with it.
    expect(received?.headers.tracestate).toBe('vendor=opaque');
  });

  it('a failed upstream call is an error span with the stable error code', async () => {
    const down = await startGateway({ routes: [{ name: 'down', prefix: '/down', targets: [{ url: 'http://127.0.0.1:1' }] }], upstreamDefaults: { retry: { attempts: 1 } } });
    try {
      const res = await fetch(`${down.url}/api/v1/down/x`);
      expect(res.status).toBe(502);
      await res.arrayBuffer();
      const spans = await spansUntil(exporter, (all) => all.some((s) => s.kind === SpanKind.SERVER));
      const call = only(spans.filter((s) => s.kind === SpanKind.CLIENT));
      expect(call.attributes['error.type']).toBe('UPSTREAM_UNAVAILABLE');
      expect(call.status.code).toBe(2);
      const server = only(spans.filter((s) => s.kind === SpanKind.SERVER));
      expect(server.attributes['http.response.status_code']).toBe(502);
      expect(server.status.code).toBe(2);
    } finally {
      await down.close();
    }
  });

  it('withSpan nests under the active span and records errors', async () => {
    await withSpan('bff.step', async () => {
      await withSpan('bff.inner', async () => undefined, { 'step.kind': 'inner' });
      await expect(withSpan('bff.failing', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    });
    const spans = exporter.getFinishedSpans();
    const outer = only(spans.filter((s) => s.name === 'bff.step'));
    const inner = only(spans.filter((s) => s.name === 'bff.inner'));
    const failing = only(spans.filter((s) => s.name === 'bff.failing'));
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(inner.attributes['step.kind']).toBe('inner');
    expect(failing.status.code).toBe(2);
  });

  it('inSpan keeps a synchronous answer synchronous, ends the span when a promise settles, and records errors', async () => {
    expect(inSpan('sync.step', () => 42)).toBe(42);
    const pending = inSpan('async.step', async () => 'later');
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toBe('later');
    const boom = (): never => {
      throw new Error('sync boom');
    };
    expect(() => inSpan('throwing.step', boom)).toThrow('sync boom');
    await expect(inSpan('rejecting.step', async () => Promise.reject(new Error('async boom')))).rejects.toThrow('async boom');
    const spans = exporter.getFinishedSpans();
    expect(only(spans.filter((s) => s.name === 'sync.step')).status.code).toBe(0);
    expect(only(spans.filter((s) => s.name === 'async.step')).status.code).toBe(0);
    expect(only(spans.filter((s) => s.name === 'throwing.step')).status.code).toBe(2);
    expect(only(spans.filter((s) => s.name === 'rejecting.step')).status.code).toBe(2);
  });
});

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

function rootOf(span: ReadableSpan, byId: ReadonlyMap<string, ReadableSpan>): ReadableSpan {
  let s = span;
  for (let i = 0; i < 50 && s.parentSpanContext; i++) {
    const parent = byId.get(s.parentSpanContext.spanId);
    if (!parent) break;
    s = parent;
  }
  return s;
}

/** The server span ends when the response has closed, a moment after the client has it: wait (bounded). */
async function spansUntil(exporter: InMemorySpanExporter, done: (spans: ReadableSpan[]) => boolean): Promise<ReadableSpan[]> {
  const until = Date.now() + 2_000;
  while (!done(exporter.getFinishedSpans()) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  return exporter.getFinishedSpans();
}
