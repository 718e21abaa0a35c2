import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/app.ts';
import { startGateway } from '../helpers/gateway.ts';
import { bodyOf, startTestServer, type TestServer } from '../helpers/http-server.ts';
import { captureLog, type CapturedLog } from '../helpers/log-capture.ts';
import { sampleValue, scrape } from '../helpers/prometheus-text.ts';
import { stallBody } from '../helpers/upstream-bodies.ts';
import { waitFor } from '../helpers/upstream-pipeline.ts';

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

type Answer = 'ok' | 'invalid-json' | 'junk' | 'not-graphql' | 'stalled';

const QUERY = '{ review(id: "r1") { id rating } }';

/**
 * A subgraph that answers 200 with a broken body, through the real /graphql door: the
 * body is part of the call, so the reviews breaker counts broken and stalled bodies
 * (circuit_breaker_state goes to 2 and calls are `outcome="error"`, not "success"), a
 * stalled body is UPSTREAM_TIMEOUT naming the limit that cut it, logged at warn, and the
 * access log's upstreamMs covers the body. Both executors (ours and stock's data source).
 */
describe.each(['ours', 'stock'] as const)('fault: a subgraph whose 200 bodies are broken, through POST /graphql (engine.executor %s)', (executor) => {
  const cleanup: Array<{ close(): Promise<unknown> }> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c.close();
  });

  async function setUp(policy: Record<string, unknown>, server: Record<string, unknown> = {}) {
    const state = { next: [] as Answer[], fallback: 'ok' as Answer };
    const subgraph: TestServer = await startTestServer(async (req, res) => {
      await bodyOf(req);
      const answer = state.next.shift() ?? state.fallback;
      if (answer === 'stalled') return stallBody(res);
      const body =
        answer === 'ok'
          ? JSON.stringify({ data: { review: { id: 'r1', rating: 5 } } })
          : answer === 'invalid-json'
            ? '{"data":{"review":'
            : answer === 'junk'
              ? '\u0000\u00ff<html>oops</html>'
              : JSON.stringify({ result: 'not a GraphQL response' });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    cleanup.push(subgraph);
    const log: CapturedLog = captureLog('info');
    const gateway: Gateway = await startGateway(
      { engine: { executor }, server, subgraphs: { reviews: { url: `${subgraph.url}/graphql` } }, upstreams: { reviews: policy }, log: { level: 'info' } },
      { log: log.log },
    );
    cleanup.push(gateway);
    const graphql = async (): Promise<GraphQLBody> => {
      const res = await request(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
      return (await res.body.json()) as GraphQLBody;
    };
    return { state, subgraph, gateway, log, graphql };
  }

  it('consecutive broken 200 bodies (invalid JSON, junk, not GraphQL, stalled) open the breaker; CIRCUIT_OPEN then counts down', async () => {
    const { state, subgraph, gateway, graphql } = await setUp({
      timeoutMs: 300,
      retry: { attempts: 1 },
      breaker: { consecutiveFailures: 5, minimumRequests: 100, openMs: 3_000 },
    });
    state.fallback = 'invalid-json';
    state.next = ['invalid-json', 'junk', 'not-graphql', 'stalled', 'invalid-json'];
    const codes: unknown[] = [];
    for (let i = 0; i < 5; i++) codes.push((await graphql()).errors?.[0]?.extensions?.code);
    expect(codes).toEqual(['UPSTREAM_BAD_RESPONSE', 'UPSTREAM_BAD_RESPONSE', 'UPSTREAM_BAD_RESPONSE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE']);

    const metrics = await scrape(gateway.url);
    expect(sampleValue(metrics, 'circuit_breaker_state', { upstream: 'reviews' })).toBe(2);
    expect(sampleValue(metrics, 'upstream_requests_total', { upstream: 'reviews', outcome: 'error', code: 'UPSTREAM_BAD_RESPONSE' })).toBe(4);
    expect(sampleValue(metrics, 'upstream_requests_total', { upstream: 'reviews', outcome: 'error', code: 'UPSTREAM_TIMEOUT' })).toBe(1);
    expect(metrics.get('upstream_requests_total')?.samples.filter((s) => s.labels.upstream === 'reviews' && s.labels.outcome === 'success')).toEqual([]);

    const first = (await graphql()).errors?.[0]?.extensions;
    expect(first).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfterSeconds: 3 });
    await sleep(1_100);
    const later = (await graphql()).errors?.[0]?.extensions;
    expect(later?.code).toBe('CIRCUIT_OPEN');
    expect(later?.retryAfterSeconds).toBeLessThanOrEqual(2);
    expect(later?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(subgraph.requests).toHaveLength(5);
  });

  it('a body that stalls mid-stream is UPSTREAM_TIMEOUT of the attempt, logged at warn, and upstreamMs covers the body', async () => {
    const { state, log, graphql } = await setUp({ timeoutMs: 400, retry: { attempts: 1 } });
    state.next = ['stalled'];
    const body = await graphql();
    expect(body.data).toEqual({ review: null });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', upstream: 'reviews', limit: 'attempt', timeoutMs: 400 });

    await waitFor(() => log.lines.some((l) => l.msg === 'request'), 'the access log line');
    const access = log.lines.find((l) => l.msg === 'request');
    expect(access?.upstreamCalls).toBe(1);
    expect(access?.upstreamMs).toBeGreaterThanOrEqual(360);
    const warn = log.lines.filter((l) => l.level === 40 && l.code === 'UPSTREAM_TIMEOUT');
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatchObject({ upstream: 'reviews', limit: 'attempt', timeoutMs: 400 });
    expect(log.errors()).toEqual([]);
  });

  it("a body cut by the request's deadline says the deadline, with its figure", async () => {
    const { state, graphql } = await setUp({ timeoutMs: 10_000, retry: { attempts: 1 } }, { requestTimeoutMs: 500 });
    state.next = ['stalled'];
    const body = await graphql();
    const extensions = body.errors?.[0]?.extensions;
    expect(extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', upstream: 'reviews', limit: 'deadline', timeoutMs: 500 });
    expect(body.errors?.[0]?.message).not.toContain('10000');
  });
});
