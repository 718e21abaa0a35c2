import { afterEach, describe, expect, it } from 'vitest';
import type { BreakerState } from '../../../gateway/upstream/types.ts';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { createTestPipeline, errorCode, waitFor, type TestPipeline } from '../../helpers/upstream-pipeline.ts';
import { gate, startHangingServer } from '../../helpers/upstream-servers.ts';

/**
 * An upstream whose answer the test switches, that records the breaker's state as each
 * request arrives: a request arriving while the breaker is open would be a leak.
 */
async function switchableUpstream() {
  const state = { status: 503, arrivedIn: [] as BreakerState[], breaker: (): BreakerState => 'closed' };
  const server = await startTestServer((req, res) => {
    state.arrivedIn.push(state.breaker());
    req.resume();
    res.writeHead(state.status).end();
  });
  return { server, state };
}

describe('circuit breaker (real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });

  it('a failing upstream: opens at consecutiveFailures, then fails fast with no request reaching it, then a probe closes it', async () => {
    const { server, state } = await switchableUpstream();
    const p = createTestPipeline([server.url], {
      retry: { attempts: 1 },
      // Long enough that the 20 fail-fast calls below all land inside it on a loaded machine.
      breaker: { consecutiveFailures: 3, minimumRequests: 100, openMs: 1_000, halfOpenProbes: 1 },
    });
    cleanup.push(server, p);
    const breaker = p.pipeline.breakers.for(p.pipeline.definition.targets[0]!);
    state.breaker = () => breaker.state;

    for (let i = 0; i < 3; i++) expect(await p.outcome()).toBe('status 503');
    expect(breaker.state).toBe('open');

    const open: string[] = [];
    for (let i = 0; i < 20; i++) open.push(await p.outcome());
    expect(open).toEqual(Array(20).fill('CIRCUIT_OPEN'));
    expect(server.requests).toHaveLength(3);

    // The upstream recovers; once openMs has passed one probe goes through and closes it.
    state.status = 200;
    await waitFor(() => breaker.admits(), 'the open period to end');
    expect(server.requests).toHaveLength(3);
    expect(await p.outcome()).toBe('status 200');
    expect(breaker.state).toBe('closed');
    expect(await p.outcome()).toBe('status 200');

    expect(state.arrivedIn).toEqual(['closed', 'closed', 'closed', 'half-open', 'closed']);
    expect(p.breakerChanges.map((c) => c.to)).toEqual(['open', 'half-open', 'closed']);
  });

  it('the error of an open breaker is CIRCUIT_OPEN with Retry-After', async () => {
    const { server } = await switchableUpstream();
    const p = createTestPipeline([server.url], { retry: { attempts: 1 }, breaker: { consecutiveFailures: 1, openMs: 60_000 } });
    cleanup.push(server, p);
    await p.outcome();
    const error = (await p.send().catch((e: unknown) => e)) as { code: string; status: number; headers: Record<string, string> };
    expect(error.code).toBe('CIRCUIT_OPEN');
    expect(error.status).toBe(503);
    expect(error.headers['retry-after']).toBe('60');
  });

  it('a failed probe reopens it: exactly one request reaches the upstream per open period', async () => {
    const { server, state } = await switchableUpstream();
    const p = createTestPipeline([server.url], { retry: { attempts: 1 }, breaker: { consecutiveFailures: 2, openMs: 200 } });
    cleanup.push(server, p);
    const breaker = p.pipeline.breakers.for(p.pipeline.definition.targets[0]!);
    state.breaker = () => breaker.state;
    await p.outcome();
    await p.outcome();
    expect(breaker.state).toBe('open');
    await waitFor(() => breaker.admits(), 'the open period to end');
    expect(await p.outcome()).toBe('status 503'); // the probe
    expect(breaker.state).toBe('open');
    for (let i = 0; i < 10; i++) expect(await p.outcome()).toBe('CIRCUIT_OPEN');
    expect(state.arrivedIn).toEqual(['closed', 'closed', 'half-open']);
  });

  it('half-open lets exactly halfOpenProbes calls through; the rest fail fast', async () => {
    const release = gate();
    let healthy = false;
    const server = await startTestServer(async (req, res) => {
      req.resume();
      if (!healthy) return void res.writeHead(503).end();
      await release.promise;
      res.writeHead(200).end();
    });
    const p = createTestPipeline([server.url], { retry: { attempts: 1 }, breaker: { consecutiveFailures: 1, openMs: 200, halfOpenProbes: 2 } });
    cleanup.push(server, p);
    const breaker = p.pipeline.breakers.for(p.pipeline.definition.targets[0]!);
    await p.outcome();
    healthy = true;
    await waitFor(() => breaker.admits(), 'the open period to end');

    const calls = Array.from({ length: 6 }, () => p.outcome());
    await waitFor(() => server.requests.length === 3, 'two probes at the upstream');
    release.open();
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((o) => o === 'status 200')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'CIRCUIT_OPEN')).toHaveLength(4);
    expect(server.requests).toHaveLength(3);
    expect(breaker.state).toBe('closed');
  });

  it('opens on the failure rate once minimumRequests calls were seen', async () => {
    let n = 0;
    // Every other call fails: never 2 failures in a row, but a 50 % rate.
    const server = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(n++ % 2 === 0 ? 200 : 500).end();
    });
    const p = createTestPipeline([server.url], {
      retry: { attempts: 1 },
      breaker: { consecutiveFailures: 2, minimumRequests: 10, failureRateThreshold: 0.5, openMs: 60_000 },
    });
    cleanup.push(server, p);
    const outcomes: string[] = [];
    for (let i = 0; i < 14; i++) outcomes.push(await p.outcome());
    expect(outcomes.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'status 200' : 'status 500')));
    expect(outcomes.slice(10)).toEqual(Array(4).fill('CIRCUIT_OPEN'));
    expect(server.requests).toHaveLength(10);
  });

  it('timeouts count as failures: a hanging upstream is cut off after consecutiveFailures', async () => {
    const server = await startHangingServer();
    const p = createTestPipeline([server.url], { timeoutMs: 100, retry: { attempts: 1 }, breaker: { consecutiveFailures: 2, openMs: 60_000 } });
    cleanup.push(server, p);
    expect(await p.outcome()).toBe('UPSTREAM_TIMEOUT');
    expect(await p.outcome()).toBe('UPSTREAM_TIMEOUT');
    expect(await p.outcome()).toBe('CIRCUIT_OPEN');
    expect(server.requests).toHaveLength(2);
  });

  it('4xx answers are the caller\'s problem, not the upstream\'s: they never open it', async () => {
    const server = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(404).end();
    });
    const p = createTestPipeline([server.url], { retry: { attempts: 1 }, breaker: { consecutiveFailures: 1, minimumRequests: 1 } });
    cleanup.push(server, p);
    for (let i = 0; i < 10; i++) expect(await p.outcome()).toBe('status 404');
    expect(server.requests).toHaveLength(10);
  });

  it('an open breaker stops retries at once', async () => {
    const { server } = await switchableUpstream();
    const p = createTestPipeline([server.url], { retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 }, breaker: { consecutiveFailures: 2, openMs: 60_000 } });
    cleanup.push(server, p);
    expect(errorCode(await p.send().catch((e: unknown) => e))).toBe('CIRCUIT_OPEN');
    expect(server.requests).toHaveLength(2);
  });
});
