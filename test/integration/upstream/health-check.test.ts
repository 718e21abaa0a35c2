import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { createTestPipeline, waitFor, type TestPipeline } from '../../helpers/upstream-pipeline.ts';

describe('active health checks (real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });

  it('an unhealthy verdict opens the breaker with no client traffic; a healthy one closes it', async () => {
    const health = { status: 503 };
    const server = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(req.url === '/healthz' ? health.status : 200).end();
    });
    const p = createTestPipeline([server.url], {
      retry: { attempts: 1 },
      breaker: { openMs: 60_000, healthCheck: { enabled: true, path: '/healthz', intervalMs: 20, timeoutMs: 500 } },
    });
    cleanup.push(server, p);
    const breaker = p.pipeline.breakers.for(p.pipeline.definition.targets[0]!);

    await waitFor(() => breaker.state === 'open', 'a failed health check to open the breaker');
    expect(await p.outcome({ path: '/work' })).toBe('CIRCUIT_OPEN');
    expect(server.requests.filter((r) => r.url === '/work')).toHaveLength(0);

    // Health checks keep probing while the breaker is open: they are not client calls.
    health.status = 200;
    await waitFor(() => breaker.state === 'closed', 'a passing health check to close the breaker');
    expect(await p.outcome({ path: '/work' })).toBe('status 200');
    expect(p.breakerChanges.map((c) => [c.to, c.reason])).toEqual([
      ['open', 'health check failed'],
      ['closed', 'health check passed'],
    ]);
  });

  it('an unreachable target is ejected by the health check alone', async () => {
    const server = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(200).end();
    });
    const p = createTestPipeline([server.url], { breaker: { healthCheck: { enabled: true, intervalMs: 20, timeoutMs: 200 } } });
    cleanup.push(p);
    const breaker = p.pipeline.breakers.for(p.pipeline.definition.targets[0]!);
    await waitFor(() => server.requests.some((r) => r.url === '/health'), 'a first health check');
    expect(breaker.state).toBe('closed');
    await server.close();
    await waitFor(() => breaker.state === 'open', 'the health check to eject the dead target');
  });
});
