import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { createTestContext } from '../../helpers/upstream-context.ts';
import { createTestPipeline, errorCode, waitFor, type TestPipeline } from '../../helpers/upstream-pipeline.ts';
import { gate } from '../../helpers/upstream-servers.ts';

describe('bulkhead (real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });

  it('with N in flight and Q queued, call N+Q+1 is refused at once with UPSTREAM_OVERLOADED; the first N+Q succeed', async () => {
    const N = 3;
    const Q = 2;
    const release = gate();
    const server = await startTestServer(async (req, res) => {
      req.resume();
      await release.promise;
      res.writeHead(200).end(`done ${req.url}`);
    });
    const p = createTestPipeline([server.url], { bulkhead: { maxConcurrent: N, maxQueue: Q } });
    cleanup.push(server, p);

    const admitted = Array.from({ length: N + Q }, (_, i) => p.send({ path: `/${i}` }));
    await waitFor(() => server.requests.length === N, `${N} requests at the upstream`);
    // The upstream is still holding every response: the next call has nowhere to go.
    expect(await p.outcome({ path: '/extra' })).toBe('UPSTREAM_OVERLOADED');
    expect(server.requests).toHaveLength(N);

    release.open();
    const results = await Promise.all(admitted);
    expect(results.map((r) => r.statusCode)).toEqual(Array(N + Q).fill(200));
    expect(server.requests).toHaveLength(N + Q);
    expect(server.requests.map((r) => r.url)).not.toContain('/extra');
    // Slots are given back once bodies are read: a new call goes through.
    expect((await p.send({ path: '/after' })).statusCode).toBe(200);
  });

  it('a queued call whose client leaves gives up its place in the queue', async () => {
    const release = gate();
    const server = await startTestServer(async (req, res) => {
      req.resume();
      await release.promise;
      res.writeHead(200).end();
    });
    const p = createTestPipeline([server.url], { bulkhead: { maxConcurrent: 1, maxQueue: 1 } });
    cleanup.push(server, p);

    const first = p.send({ path: '/first' });
    await waitFor(() => server.requests.length === 1, 'the first request at the upstream');
    const { ctx, disconnect, dispose } = createTestContext();
    const queued = p.pipeline.call({ upstream: 'svc', method: 'GET', path: '/queued', headers: {}, body: null, idempotent: true, ctx });
    disconnect();
    expect(errorCode(await queued.catch((e: unknown) => e))).toBe('CLIENT_CLOSED_REQUEST');
    dispose();
    // The queue has room again.
    const third = p.send({ path: '/third' });
    release.open();
    expect((await first).statusCode).toBe(200);
    expect((await third).statusCode).toBe(200);
    expect(server.requests.map((r) => r.url)).toEqual(['/first', '/third']);
  });

  it('a failed call gives its slot back', async () => {
    const server = await startTestServer((req, res) => {
      req.resume();
      res.destroy();
    });
    const p = createTestPipeline([server.url], { bulkhead: { maxConcurrent: 1, maxQueue: 0 }, retry: { attempts: 1 }, breaker: { enabled: false } });
    cleanup.push(server, p);
    for (let i = 0; i < 5; i++) expect(await p.outcome()).toBe('UPSTREAM_UNAVAILABLE');
  });
});
