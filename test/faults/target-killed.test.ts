import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { createTestPipeline, type TestPipeline } from '../helpers/upstream-pipeline.ts';

/** A "crashed" target whose port still accepts: every connection is reset at once. Counts them. */
async function startResettingTarget(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const policy = (openMs: number) => ({
  retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  breaker: { consecutiveFailures: 3, minimumRequests: 1000, openMs, halfOpenProbes: 1 },
});

describe('fault: two targets, one killed', () => {
  const cleanup: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });

  it('a killed target (connection refused): every call still succeeds and the target takes at most consecutiveFailures attempts before it is ejected', async () => {
    const alive = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(200).end('alive');
    });
    const doomed = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(200).end('doomed');
    });
    const p: TestPipeline = createTestPipeline([doomed.url, alive.url], policy(60_000));
    cleanup.push(alive, doomed, p);

    for (let i = 0; i < 10; i++) expect((await p.send()).statusCode).toBe(200);
    expect(doomed.requests.length).toBeGreaterThan(0); // both targets served
    await doomed.close();

    const bodies: string[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await p.send();
      expect(res.statusCode).toBe(200);
      bodies.push(res.body);
    }
    expect(new Set(bodies)).toEqual(new Set(['alive']));
    // Each attempt on the dead target failed and was retried on the live one.
    expect(p.retries.every((r) => r.reason === 'UPSTREAM_UNAVAILABLE')).toBe(true);
    expect(p.retries.length).toBeLessThanOrEqual(3);
    expect(p.breakerChanges.map((c) => [new URL(c.origin).port, c.to])).toEqual([[String(doomed.port), 'open']]);
  });

  it('a crashed target that resets connections: it sees at most consecutiveFailures connections before it is ejected', async () => {
    const alive = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(200).end('alive');
    });
    const crashed = await startResettingTarget();
    const p = createTestPipeline([crashed.url, alive.url], policy(60_000));
    cleanup.push(alive, crashed, p);

    for (let i = 0; i < 100; i++) expect((await p.send()).statusCode).toBe(200);
    expect(crashed.connections()).toBeLessThanOrEqual(3);
    expect(alive.requests).toHaveLength(100);
    expect(p.pipeline.breakers.for(p.pipeline.definition.targets[0]!).state).toBe('open');
  });

  it('while the dead target stays dead, each half-open probe costs one attempt and the call still succeeds', async () => {
    const alive = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(200).end('alive');
    });
    const crashed = await startResettingTarget();
    const p = createTestPipeline([crashed.url, alive.url], policy(50));
    cleanup.push(alive, crashed, p);

    const outcomes: string[] = [];
    for (let i = 0; i < 60; i++) {
      outcomes.push(await p.outcome());
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(new Set(outcomes)).toEqual(new Set(['status 200']));
    const reopenings = p.breakerChanges.filter((c) => c.from === 'half-open' && c.to === 'open').length;
    expect(reopenings).toBeGreaterThan(0);
    // 3 to eject it, then one probe per half-open period.
    expect(crashed.connections()).toBeLessThanOrEqual(3 + reopenings + 1);
  });
});
