import { afterEach, describe, expect, it } from 'vitest';
import type { BreakerState } from '../../gateway/upstream/types.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { createTestPipeline, waitFor, type TestPipeline } from '../helpers/upstream-pipeline.ts';

/** The 503 case asserts 25 fail-fast calls inside one open period: long enough for a loaded machine. */
const OPEN_MS = 1_000;

/**
 * An upstream process dies (its port refuses connections) under steady client traffic and
 * comes back on the same port. The breaker must open, keep every call off the dead
 * upstream while open, and close again through half-open probes once it is back.
 *
 * The times from death to open and from recovery to closed are measured and printed for
 * the record (they depend on traffic rate and openMs); the test asserts behaviour only.
 */
describe('fault: an upstream that dies and comes back', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });

  it('breaker opens after the threshold, fails fast while open, and half-open probes close it after recovery', async () => {
    let breakerState: () => BreakerState = () => 'closed';
    const arrivedIn: BreakerState[] = [];
    const server = await startTestServer((req, res) => {
      arrivedIn.push(breakerState());
      req.resume();
      res.writeHead(200).end('ok');
    });
    const consecutiveFailures = 5;
    const p = createTestPipeline([server.url], {
      timeoutMs: 200,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
      breaker: { consecutiveFailures, minimumRequests: 20, openMs: 200, halfOpenProbes: 2 },
      pool: { connectTimeoutMs: 200 },
    });
    cleanup.push(server, p);
    const breaker = p.pipeline.breakers.for(p.pipeline.definition.targets[0]!);
    breakerState = () => breaker.state;

    // Steady traffic: one client calling back to back with a short pause.
    const outcomes: Array<{ at: number; outcome: string }> = [];
    let running = true;
    const traffic = (async () => {
      while (running) {
        outcomes.push({ outcome: await p.outcome(), at: performance.now() });
        await new Promise((r) => setTimeout(r, 2));
      }
    })();

    await waitFor(() => outcomes.filter((o) => o.outcome === 'status 200').length >= 20, 'healthy traffic');
    const before = server.requests.length;

    // Death: the process goes away, its port refuses connections.
    const diedAt = performance.now();
    await server.close();
    await waitFor(() => breaker.state === 'open', 'the breaker to open');
    const openedAt = p.breakerChanges.find((c) => c.to === 'open')!.at;
    const failuresBeforeOpen = outcomes.filter((o) => o.at >= diedAt && o.at <= openedAt && o.outcome !== 'status 200').length;

    // While it is down and the breaker open, calls fail fast.
    await waitFor(() => outcomes.filter((o) => o.outcome === 'CIRCUIT_OPEN').length >= 10, 'calls failing fast');

    // Recovery on the same port.
    const requestsWhileDown = server.requests.length;
    expect(requestsWhileDown).toBe(before);
    await server.restart();
    const recoveredAt = performance.now();
    await waitFor(() => breaker.state === 'closed', 'half-open probes to close the breaker', 10_000);
    const closedAt = p.breakerChanges.findLast((c) => c.to === 'closed')!.at;
    await waitFor(() => outcomes.filter((o) => o.at > closedAt && o.outcome === 'status 200').length >= 5, 'healthy traffic again');
    running = false;
    await traffic;

    const transitions = p.breakerChanges.map((c) => c.to);
    expect(transitions[0]).toBe('open');
    expect(transitions.at(-1)).toBe('closed');
    expect(transitions.at(-2)).toBe('half-open');
    // Nothing ever reached the upstream while its breaker was open.
    expect(arrivedIn).not.toContain('open');
    // After recovery the first requests to arrive were the probes.
    expect(arrivedIn.slice(before, before + 2)).toEqual(['half-open', 'half-open']);
    // Every call during the outage failed with a stable code; none hung.
    const outageCodes = new Set(outcomes.filter((o) => o.at > diedAt && o.at < recoveredAt).map((o) => o.outcome));
    for (const code of outageCodes) expect(['UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN', 'status 200']).toContain(code);
    expect(failuresBeforeOpen).toBeLessThanOrEqual(consecutiveFailures);

    console.log(
      [
        'breaker timings (consecutiveFailures 5, openMs 200, halfOpenProbes 2, one client calling every ~2 ms):',
        `  upstream death → breaker open:  ${(openedAt - diedAt).toFixed(1)} ms (${failuresBeforeOpen} failed calls before it opened)`,
        `  upstream recovery → closed:     ${(closedAt - recoveredAt).toFixed(1)} ms`,
        `  transitions: ${transitions.join(' → ')}`,
      ].join('\n'),
    );
  });

  it('a subgraph-style upstream that answers 503 while down gets no request while its breaker is open', async () => {
    const up = { ok: false };
    let breakerState: () => BreakerState = () => 'closed';
    const arrivedIn: BreakerState[] = [];
    const server = await startTestServer((req, res) => {
      arrivedIn.push(breakerState());
      req.resume();
      res.writeHead(up.ok ? 200 : 503, { 'content-type': 'application/json' }).end('{"data":{}}');
    });
    const p = createTestPipeline(
      [`${server.url}/graphql`],
      { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 5, openMs: OPEN_MS, halfOpenProbes: 1 } },
      { name: 'products', kind: 'subgraph' },
    );
    cleanup.push(server, p);
    const breaker = p.pipeline.breakers.for(p.pipeline.definition.targets[0]!);
    breakerState = () => breaker.state;
    const query = { method: 'POST' as const, path: '', headers: { 'content-type': 'application/json' }, body: '{"query":"{ top { id } }"}', idempotent: true };

    const diedAt = performance.now();
    const outcomes: string[] = [];
    while (breaker.state !== 'open') outcomes.push(await p.outcome(query));
    const openedAt = p.breakerChanges[0]!.at;
    expect(server.requests).toHaveLength(5);
    for (let i = 0; i < 25; i++) outcomes.push(await p.outcome(query));
    expect(outcomes.slice(-25)).toEqual(Array(25).fill('CIRCUIT_OPEN'));
    expect(server.requests).toHaveLength(5);

    up.ok = true;
    const recoveredAt = performance.now();
    await waitFor(() => breaker.admits(), 'the open period to end');
    expect(await p.outcome(query)).toBe('status 200');
    expect(breaker.state).toBe('closed');
    const closedAt = p.breakerChanges.at(-1)!.at;
    expect(arrivedIn).toEqual(['closed', 'closed', 'closed', 'closed', 'closed', 'half-open']);
    expect(server.requests.every((r) => r.url === '/graphql')).toBe(true);
    console.log(
      `breaker timings (503-answering subgraph, consecutiveFailures 5, openMs ${OPEN_MS}): death → open ${(openedAt - diedAt).toFixed(1)} ms; recovery → closed ${(closedAt - recoveredAt).toFixed(1)} ms`,
    );
  });
});
