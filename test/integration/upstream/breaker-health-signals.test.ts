import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { createTestPipeline, errorCode, waitFor, type TestPipeline } from '../../helpers/upstream-pipeline.ts';

/**
 * Passive and active health are separate signals (Envoy: outlier ejection beside active
 * health checking): a breaker traffic opened stays open for its open period whatever the
 * health checks say, and a target health checks ejected comes back only when they pass.
 */
describe('traffic breaker and active health checks (real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });

  /** An upstream whose `/health` and other paths answer what the test sets. */
  async function upstream(initial: { health: number; work: number }) {
    const status = { ...initial };
    const server = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(req.url === '/health' ? status.health : status.work).end();
    });
    const work = (): number => server.requests.filter((r) => r.url !== '/health').length;
    const checks = (): number => server.requests.filter((r) => r.url === '/health').length;
    return { server, status, work, checks };
  }

  it('passing health checks never close a breaker traffic opened: it stays open for openMs, then a traffic probe decides', async () => {
    const u = await upstream({ health: 200, work: 503 });
    const p = createTestPipeline([u.server.url], {
      retry: { attempts: 1 },
      breaker: { consecutiveFailures: 5, minimumRequests: 100, openMs: 1_000, healthCheck: { enabled: true, intervalMs: 20, timeoutMs: 500 } },
    });
    cleanup.push(u.server, p);
    const breaker = p.pipeline.breakers.for(p.pipeline.definition.targets[0]!);

    for (let i = 0; i < 5; i++) expect(await p.outcome({ path: '/work' })).toBe('status 503');
    expect(breaker.state).toBe('open');
    // Several health checks pass while it is open (the one in the report closed it 96 ms later).
    const checksAtOpen = u.checks();
    await waitFor(() => u.checks() >= checksAtOpen + 5, 'five more passing health checks');
    expect(breaker.state).toBe('open');
    expect(await p.outcome({ path: '/work' })).toBe('CIRCUIT_OPEN');
    expect(u.work()).toBe(5);

    // The open period ends; the upstream still fails: the one probe reopens it.
    await waitFor(() => breaker.admits(), 'the open period to end');
    expect(await p.outcome({ path: '/work' })).toBe('status 503');
    expect(breaker.state).toBe('open');
    // Now it recovers: the next probe, after the next open period, closes it.
    u.status.work = 200;
    await waitFor(() => breaker.admits(), 'the second open period to end');
    expect(await p.outcome({ path: '/work' })).toBe('status 200');
    expect(breaker.state).toBe('closed');
    expect(p.breakerChanges.map((c) => [c.to, c.reason])).toEqual([
      ['open', '5 consecutive failures'],
      ['half-open', 'open period elapsed'],
      ['open', 'half-open probe failed'],
      ['half-open', 'open period elapsed'],
      ['closed', 'half-open probes succeeded'],
    ]);
  });

  it("a target failing its health checks stays out past the traffic breaker's open period, until a check passes", async () => {
    const u = await upstream({ health: 200, work: 503 });
    const p = createTestPipeline([u.server.url], {
      retry: { attempts: 1 },
      breaker: { consecutiveFailures: 1, openMs: 200, healthCheck: { enabled: true, intervalMs: 20, timeoutMs: 500 } },
    });
    cleanup.push(u.server, p);
    const breaker = p.pipeline.breakers.for(p.pipeline.definition.targets[0]!);
    expect(await p.outcome({ path: '/work' })).toBe('status 503');
    expect(breaker.trafficState).toBe('open');
    u.status.health = 503;
    await waitFor(() => breaker.ejected, 'a failed health check to eject the target');
    // Well past openMs: the traffic breaker alone would let a probe through; the ejection does not.
    await sleep(400);
    expect(breaker.admits()).toBe(false);
    expect(await p.outcome({ path: '/work' })).toBe('CIRCUIT_OPEN');
    expect(u.work()).toBe(1);

    u.status.health = 200;
    u.status.work = 200;
    await waitFor(() => !breaker.ejected, 'a passing health check to re-admit the target');
    // Re-admitted, the traffic breaker takes over where it was: its open period is over,
    // so the next call is its half-open probe, and that closes it.
    expect(breaker.state).toBe('open');
    expect(await p.outcome({ path: '/work' })).toBe('status 200');
    expect(breaker.state).toBe('closed');
    expect(p.breakerChanges.map((c) => [c.to, c.reason])).toEqual([
      ['open', '1 consecutive failures'],
      ['half-open', 'open period elapsed'],
      ['closed', 'half-open probes succeeded'],
    ]);
  });

  it('CIRCUIT_OPEN says how long is left until half-open, counting down, in retryAfterSeconds and Retry-After', async () => {
    const u = await upstream({ health: 200, work: 503 });
    const p = createTestPipeline([u.server.url], { retry: { attempts: 1 }, breaker: { consecutiveFailures: 1, openMs: 3_000 } });
    cleanup.push(u.server, p);
    expect(await p.outcome()).toBe('status 503');

    const retryAfter = async (): Promise<{ extension: unknown; header: unknown }> => {
      const error = (await p.send().catch((e: unknown) => e)) as { code?: string; extensions?: Record<string, unknown>; headers?: Record<string, string> };
      expect(error.code).toBe('CIRCUIT_OPEN');
      return { extension: error.extensions?.retryAfterSeconds, header: error.headers?.['retry-after'] };
    };
    const seen = [await retryAfter()];
    await sleep(1_100);
    seen.push(await retryAfter());
    await sleep(1_000);
    seen.push(await retryAfter());

    const values = seen.map((s) => s.extension);
    expect(seen.map((s) => s.header)).toEqual(values.map(String));
    expect(values[0]).toBe(3);
    expect(values[1]).toBeLessThanOrEqual(2);
    expect(values[2]).toBe(1);
    expect(u.work()).toBe(1);
  });
});
