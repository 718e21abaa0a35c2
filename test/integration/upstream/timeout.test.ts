import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { createTestContext } from '../../helpers/upstream-context.ts';
import { createTestPipeline, errorCode, waitFor, type TestPipeline } from '../../helpers/upstream-pipeline.ts';
import { startHangingServer } from '../../helpers/upstream-servers.ts';

const fast = { baseDelayMs: 1, maxDelayMs: 5 };

describe('timeouts and cancellation (real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });
  const track = <T extends TestServer | TestPipeline>(t: T): T => {
    cleanup.push(t);
    return t;
  };
  const socketClosed = (server: TestServer, i: number) => () => server.requests[i]?.endedAt !== undefined;

  it('a hanging upstream fails the call with UPSTREAM_TIMEOUT and the upstream request is cut', async () => {
    const server = track(await startHangingServer());
    const p = track(createTestPipeline([server.url], { timeoutMs: 200, retry: { attempts: 1 } }));
    expect(await p.outcome({ idempotent: false })).toBe('UPSTREAM_TIMEOUT');
    await waitFor(socketClosed(server, 0), 'the upstream to see the socket close');
    expect(server.requests).toHaveLength(1);
  });

  it('by default a timed-out attempt is not retried: the client waits one timeout, not attempts × timeout', async () => {
    const server = track(await startHangingServer());
    const p = track(createTestPipeline([server.url], { timeoutMs: 200, retry: { attempts: 3, ...fast } }));
    const error = await p.send({ idempotent: true }).catch((e: unknown) => e);
    expect(errorCode(error)).toBe('UPSTREAM_TIMEOUT');
    expect(server.requests).toHaveLength(1);
    expect(p.retries).toEqual([]);
  });

  it('with retryOnTimeout each attempt has its own timeout: an idempotent call is retried after a timed-out attempt', async () => {
    let n = 0;
    const server = track(
      await startTestServer((req, res) => {
        req.resume();
        if (++n > 1) res.writeHead(200).end('late but fine');
      }),
    );
    const p = track(createTestPipeline([server.url], { timeoutMs: 200, retry: { attempts: 2, retryOnTimeout: true, ...fast } }));
    const res = await p.send({ idempotent: true });
    expect(res.body).toBe('late but fine');
    expect(server.requests).toHaveLength(2);
    expect(p.retries.map((r) => r.reason)).toEqual(['UPSTREAM_TIMEOUT']);
    await waitFor(socketClosed(server, 0), 'the first attempt to be cut');
  });

  it('the inbound deadline bounds the call even when the attempt timeout is longer', async () => {
    const server = track(await startHangingServer());
    const p = track(createTestPipeline([server.url], { timeoutMs: 60_000, retry: { attempts: 3, ...fast } }));
    const error = await p.send({ idempotent: true }, { deadlineMs: 150 }).catch((e: unknown) => e);
    expect(errorCode(error)).toBe('UPSTREAM_TIMEOUT');
    // No attempt starts after the deadline: nothing past the first is sent.
    expect(server.requests).toHaveLength(1);
    await waitFor(socketClosed(server, 0), 'the upstream to see the socket close');
  });

  it('an attempt never starts past the inbound deadline', async () => {
    const server = track(await startHangingServer());
    const p = track(createTestPipeline([server.url], { timeoutMs: 100, retry: { attempts: 10, baseDelayMs: 1, maxDelayMs: 1 } }));
    expect(await p.outcome({ idempotent: true }, { deadlineMs: 250 })).toBe('UPSTREAM_TIMEOUT');
    const attempts = server.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(server.requests.length).toBe(attempts);
    expect(attempts).toBeLessThanOrEqual(3);
  });

  it('client disconnect aborts the upstream request (the upstream sees the socket close)', async () => {
    const server = track(await startHangingServer());
    const p = track(createTestPipeline([server.url], { timeoutMs: 60_000, breaker: { consecutiveFailures: 1 } }));
    const { ctx, disconnect, dispose } = createTestContext();
    const pending = p.pipeline.call({ upstream: 'svc', method: 'GET', path: '/slow', headers: {}, body: null, idempotent: true, ctx });
    await waitFor(() => server.requests.length === 1, 'the upstream to receive the request');
    disconnect();
    expect(errorCode(await pending.catch((e: unknown) => e))).toBe('CLIENT_CLOSED_REQUEST');
    await waitFor(socketClosed(server, 0), 'the upstream to see the socket close');
    dispose();
    // A client that left says nothing about the upstream: not retried, breaker not charged.
    expect(server.requests).toHaveLength(1);
    expect(p.pipeline.breakers.for(p.pipeline.definition.targets[0]!).state).toBe('closed');
  });

  it('client disconnect while the response body streams aborts the upstream response', async () => {
    const server = track(
      await startTestServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first chunk;');
        // …and nothing more.
      }),
    );
    const p = track(createTestPipeline([server.url], { timeoutMs: 60_000 }));
    const { ctx, disconnect, dispose } = createTestContext();
    const res = await p.pipeline.call({ upstream: 'svc', method: 'GET', path: '/stream', headers: {}, body: null, idempotent: true, ctx });
    expect(res.statusCode).toBe(200);
    const reading = res.body.text();
    disconnect();
    await expect(reading).rejects.toBeDefined();
    await waitFor(socketClosed(server, 0), 'the upstream to see the socket close');
    dispose();
  });

  it('a client that already left before the call does not reach the upstream', async () => {
    const server = track(await startHangingServer());
    const p = track(createTestPipeline([server.url]));
    const { ctx, disconnect, dispose } = createTestContext();
    disconnect();
    const error = await p.pipeline.call({ upstream: 'svc', method: 'GET', path: '/', headers: {}, body: null, idempotent: true, ctx }).catch((e: unknown) => e);
    dispose();
    expect(errorCode(error)).toBe('CLIENT_CLOSED_REQUEST');
    expect(server.requests).toHaveLength(0);
  });
});
