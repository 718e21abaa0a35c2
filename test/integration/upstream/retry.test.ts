import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyOf, startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { createTestPipeline, deadPort, type TestPipeline } from '../../helpers/upstream-pipeline.ts';
import { startStatusServer } from '../../helpers/upstream-servers.ts';

const fast = { baseDelayMs: 1, maxDelayMs: 5 };
const noBreaker = { enabled: false };

describe('retry policy (real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });
  const track = <T extends TestServer | TestPipeline>(t: T): T => {
    cleanup.push(t);
    return t;
  };

  it('an idempotent call (a query) that gets 503 is retried and succeeds on the 2nd attempt', async () => {
    let n = 0;
    const server = track(await startStatusServer(() => (++n === 1 ? 503 : 200)));
    const p = track(createTestPipeline([server.url], { retry: { attempts: 3, ...fast } }));
    const res = await p.send({ method: 'POST', body: '{"query":"{ me { id } }"}', idempotent: true });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('ok');
    expect(server.requests).toHaveLength(2);
    expect(p.retries).toEqual([{ upstream: 'svc', attempt: 2, reason: 'status 503' }]);
  });

  it('the retried attempt carries the same body', async () => {
    const bodies: string[] = [];
    const server = track(
      await startTestServer(async (req, res) => {
        bodies.push((await bodyOf(req)).toString());
        res.writeHead(bodies.length === 1 ? 502 : 200).end();
      }),
    );
    const p = track(createTestPipeline([server.url], { retry: { attempts: 2, ...fast } }));
    expect((await p.send({ method: 'POST', body: 'payload-1', idempotent: true })).statusCode).toBe(200);
    expect(bodies).toEqual(['payload-1', 'payload-1']);
  });

  it('a mutation (idempotent: false) is never retried: the upstream sees exactly 1 request', async () => {
    const server = track(await startStatusServer(() => 503));
    const p = track(createTestPipeline([server.url], { retry: { attempts: 5, ...fast } }));
    const res = await p.send({ method: 'POST', body: '{"query":"mutation { pay }"}', idempotent: false });
    expect(res.statusCode).toBe(503);
    expect(server.requests).toHaveLength(1);
    expect(p.retries).toEqual([]);
  });

  it('a mutation that cannot connect fails with UPSTREAM_UNAVAILABLE after one attempt', async () => {
    const p = track(createTestPipeline([`http://127.0.0.1:${await deadPort()}`], { retry: { attempts: 5, ...fast } }));
    expect(await p.outcome({ method: 'POST', body: 'x', idempotent: false })).toBe('UPSTREAM_UNAVAILABLE');
    expect(p.retries).toEqual([]);
  });

  it('connection refused is retried for idempotent calls, up to `attempts`', async () => {
    const p = track(createTestPipeline([`http://127.0.0.1:${await deadPort()}`], { retry: { attempts: 3, ...fast } }));
    expect(await p.outcome({ idempotent: true })).toBe('UPSTREAM_UNAVAILABLE');
    expect(p.retries.map((r) => [r.attempt, r.reason])).toEqual([
      [2, 'UPSTREAM_UNAVAILABLE'],
      [3, 'UPSTREAM_UNAVAILABLE'],
    ]);
  });

  it('connection refused on one target: the retry lands on the other and succeeds', async () => {
    const server = track(await startStatusServer(() => 200));
    // The balancer starts with the first target, so the first attempt is refused.
    const p = track(createTestPipeline([`http://127.0.0.1:${await deadPort()}`, server.url], { retry: { attempts: 2, ...fast } }));
    const res = await p.send({ idempotent: true });
    expect(res.statusCode).toBe(200);
    expect(server.requests).toHaveLength(1);
    expect(p.retries.map((r) => r.reason)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('a streamed body cannot be replayed, so the call is not retried even when idempotent', async () => {
    const server = track(await startStatusServer(() => 503));
    const p = track(createTestPipeline([server.url], { retry: { attempts: 3, ...fast } }));
    const res = await p.send({ method: 'PUT', body: Readable.from([Buffer.from('a'), Buffer.from('b')]), idempotent: true });
    expect(res.statusCode).toBe(503);
    expect(server.requests).toHaveLength(1);
  });

  it('statuses outside retryOnStatus are returned as they are', async () => {
    const server = track(await startStatusServer(() => 500));
    const p = track(createTestPipeline([server.url], { retry: { attempts: 3, ...fast } }));
    expect((await p.send()).statusCode).toBe(500);
    expect(server.requests).toHaveLength(1);
  });

  it('the last attempt\'s 503 is what the caller gets', async () => {
    const server = track(await startStatusServer(() => 503));
    const p = track(createTestPipeline([server.url], { retry: { attempts: 3, ...fast }, breaker: noBreaker }));
    const res = await p.send();
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe('fail');
    expect(server.requests).toHaveLength(3);
  });

  it('the retry budget caps total attempts under a sustained outage', async () => {
    const server = track(await startStatusServer(() => 503));
    const retry = { attempts: 3, budgetRatio: 0.2, budgetMinRetries: 10, budgetWindowMs: 60_000, ...fast };
    const p = track(createTestPipeline([server.url], { retry, breaker: noBreaker, bulkhead: { maxConcurrent: 16, maxQueue: 1000 } }));
    const calls = 200;
    // 20 waves of 10 concurrent calls.
    for (let wave = 0; wave < calls / 10; wave++) {
      const results = await Promise.all(Array.from({ length: 10 }, () => p.send()));
      for (const r of results) expect(r.statusCode).toBe(503);
    }
    const seen = server.requests.length;
    console.log(`retry budget: ${calls} calls × attempts 3 → upstream saw ${seen} requests (${seen - calls} retries)`);
    expect(seen).toBeLessThanOrEqual(calls + 10 + 0.2 * calls);
    expect(seen).toBeLessThan(3 * calls);
    expect(seen).toBeGreaterThanOrEqual(calls + 10);
  });
});
