import { getEventListeners } from 'node:events';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { abortFanoutOf } from '../../../gateway/context/abort-fanout.ts';
import { createRequestContext, DeadlineExceeded, type RequestContext } from '../../../gateway/context/request-context.ts';
import { createLogger } from '../../../gateway/telemetry/logger.ts';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { createTestContext } from '../../helpers/upstream-context.ts';
import { createTestPipeline, errorCode, waitFor, type TestPipeline } from '../../helpers/upstream-pipeline.ts';
import { gate, startHangingServer } from '../../helpers/upstream-servers.ts';

/**
 * One request's many upstream calls (16+ subgraph fetches for one /graphql request, more
 * with retries) share ONE abort listener on the request's signal; the old listener per
 * attempt set off Node's MaxListenersExceededWarning at the 11th.
 */
describe('abort listeners per request, not per upstream call (real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline | { close(): void }> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });
  const track = <T extends TestServer | TestPipeline>(t: T): T => {
    cleanup.push(t);
    return t;
  };
  const abortListeners = (ctx: RequestContext): number => getEventListeners(ctx.signal, 'abort').length;
  const callWith = (p: TestPipeline, ctx: RequestContext, path: string) =>
    p.pipeline.call({ upstream: 'svc', method: 'GET', path, headers: {}, body: null, idempotent: true, ctx });
  const outcomeOf = (pending: Promise<unknown>): Promise<string> => pending.then(() => 'ok', errorCode);
  const allSocketsClosed = (server: TestServer) => () => server.requests.every((r) => r.endedAt !== undefined);

  it('50 concurrent calls of one request: 1 abort listener on ctx.signal while in flight, still 1 after (kept for the request), with no subscriber left', async () => {
    const release = gate();
    const server = track(
      await startTestServer(async (req, res) => {
        req.resume();
        await release.promise;
        res.writeHead(200).end(`done ${req.url}`);
      }),
    );
    const p = track(createTestPipeline([server.url], { timeoutMs: 60_000 }));
    const { ctx, dispose } = createTestContext();
    cleanup.push({ close: dispose });
    expect(abortListeners(ctx)).toBe(0);

    const calls = Array.from({ length: 50 }, (_, i) => callWith(p, ctx, `/${i}`));
    await waitFor(() => server.requests.length === 50, '50 requests at the upstream');
    expect(abortListeners(ctx)).toBe(1);
    expect(abortFanoutOf(ctx).size).toBe(50);

    release.open();
    const bodies = await Promise.all(calls.map(async (c) => (await c).body.text()));
    expect(bodies).toEqual(Array.from({ length: 50 }, (_, i) => `done /${i}`));
    // Each attempt unsubscribes when its body closes (a tick after it is read).
    await waitFor(() => abortFanoutOf(ctx).size === 0, 'every attempt to unsubscribe');
    // The one listener stays until the request ends: the request's next fetch reuses it
    // instead of adding and removing its own.
    expect(abortListeners(ctx)).toBe(1);
  });

  it('a client that leaves aborts every one of 50 in-flight attempts with CLIENT_CLOSED_REQUEST, and the upstream sees every socket close', async () => {
    const server = track(await startHangingServer());
    const p = track(createTestPipeline([server.url], { timeoutMs: 60_000 }));
    const { ctx, disconnect, dispose } = createTestContext();
    cleanup.push({ close: dispose });

    const outcomes = Array.from({ length: 50 }, (_, i) => outcomeOf(callWith(p, ctx, `/${i}`)));
    await waitFor(() => server.requests.length === 50, '50 requests at the upstream');
    expect(abortListeners(ctx)).toBe(1);
    disconnect();
    expect(await Promise.all(outcomes)).toEqual(Array(50).fill('CLIENT_CLOSED_REQUEST'));
    await waitFor(allSocketsClosed(server), 'the upstream to see every socket close');
    expect(server.requests).toHaveLength(50);
    expect(abortFanoutOf(ctx).size).toBe(0);
    expect(abortListeners(ctx)).toBe(0);
  });

  it("the edge's context (createRequestContext, real HTTP exchange): 50 calls hold one listener, and the client hanging up aborts them all with CLIENT_CLOSED_REQUEST", async () => {
    const upstream = track(await startHangingServer());
    const p = track(createTestPipeline([upstream.url], { timeoutMs: 60_000 }));
    let edge: { ctx: RequestContext; outcomes: Promise<string[]> } | undefined;
    const front = track(
      await startTestServer((req, res) => {
        const { ctx, dispose } = createRequestContext(req, res, { door: 'rest', requestTimeoutMs: 60_000, log: createLogger('silent') });
        const outcomes = Promise.all(Array.from({ length: 50 }, (_, i) => outcomeOf(callWith(p, ctx, `/${i}`))));
        edge = { ctx, outcomes };
        void outcomes.finally(dispose);
      }),
    );
    const client = httpRequest(`${front.url}/api/v1/svc`);
    client.on('error', () => undefined);
    client.end();
    await waitFor(() => upstream.requests.length === 50, '50 requests at the upstream');
    if (!edge) throw new Error('the front server saw no request');
    const { ctx, outcomes } = edge;
    // The edge gives every context its fan-out: no WeakMap lookup on the request path.
    expect(abortFanoutOf(ctx)).toBe(ctx.abortFanout);
    expect(abortListeners(ctx)).toBe(1);
    expect(abortFanoutOf(ctx).size).toBe(50);

    client.destroy();
    expect(await outcomes).toEqual(Array(50).fill('CLIENT_CLOSED_REQUEST'));
    await waitFor(allSocketsClosed(upstream), 'the upstream to see every socket close');
    expect(abortFanoutOf(ctx).size).toBe(0);
  });

  it('the inbound deadline aborts every one of 50 in-flight attempts with UPSTREAM_TIMEOUT (attempt timeout far longer)', async () => {
    const server = track(await startHangingServer());
    const p = track(createTestPipeline([server.url], { timeoutMs: 60_000 }));
    const { ctx, dispose } = createTestContext({ deadlineMs: 300 });
    cleanup.push({ close: dispose });

    const outcomes = Array.from({ length: 50 }, (_, i) => outcomeOf(callWith(p, ctx, `/${i}`)));
    await waitFor(() => server.requests.length === 50, '50 requests at the upstream');
    expect(abortListeners(ctx)).toBe(1);
    expect(await Promise.all(outcomes)).toEqual(Array(50).fill('UPSTREAM_TIMEOUT'));
    await waitFor(allSocketsClosed(server), 'the upstream to see every socket close');
  });

  it('a request aborted with DeadlineExceeded reaches each attempt through the one listener as UPSTREAM_TIMEOUT, not CLIENT_CLOSED_REQUEST', async () => {
    const server = track(await startHangingServer());
    const p = track(createTestPipeline([server.url], { timeoutMs: 60_000 }));
    const { ctx: base, dispose } = createTestContext({ deadlineMs: 60_000 });
    cleanup.push({ close: dispose });
    // The edge's deadline timer, fired by hand: no attempt timer is anywhere near due.
    const controller = new AbortController();
    const ctx: RequestContext = { ...base, signal: controller.signal };

    const outcomes = Array.from({ length: 20 }, (_, i) => outcomeOf(callWith(p, ctx, `/${i}`)));
    await waitFor(() => server.requests.length === 20, '20 requests at the upstream');
    controller.abort(new DeadlineExceeded());
    expect(await Promise.all(outcomes)).toEqual(Array(20).fill('UPSTREAM_TIMEOUT'));
  });

  it('200 calls of one request, queued in the bulkhead and retried, emit no MaxListenersExceededWarning and leave one listener', async () => {
    const seen = new Set<string>();
    const server = track(
      await startTestServer((req, res) => {
        req.resume();
        // Every call's first attempt fails: each is retried after a backoff sleep.
        const url = req.url ?? '';
        const first = !seen.has(url);
        seen.add(url);
        res.writeHead(first ? 503 : 200).end(first ? 'again' : 'ok');
      }),
    );
    const p = track(
      createTestPipeline([server.url], {
        bulkhead: { maxConcurrent: 16, maxQueue: 200 },
        retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20, budgetRatio: 10 },
        breaker: { enabled: false },
      }),
    );
    const { ctx, dispose } = createTestContext();
    cleanup.push({ close: dispose });
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      let most = 0;
      const calls = Array.from({ length: 200 }, async (_, i) => {
        const res = await callWith(p, ctx, `/${i}`);
        most = Math.max(most, abortListeners(ctx));
        return { status: res.statusCode, body: await res.body.text() };
      });
      most = Math.max(most, abortListeners(ctx));
      const results = await Promise.all(calls);
      expect(results).toEqual(Array(200).fill({ status: 200, body: 'ok' }));
      expect(p.retries).toHaveLength(200);
      expect(most).toBe(1);
      // process.emitWarning reports on a later tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
    expect(abortListeners(ctx)).toBe(1);
    await waitFor(() => abortFanoutOf(ctx).size === 0, 'every attempt to unsubscribe');
  });
});
