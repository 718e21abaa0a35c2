import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { createTestPipeline, type TestPipeline } from '../../helpers/upstream-pipeline.ts';
import { echoJson } from '../../helpers/upstream-servers.ts';

describe('transport (undici Pool per origin, real upstream on loopback)', () => {
  const cleanup: Array<TestServer | TestPipeline> = [];
  afterEach(async () => {
    await Promise.all(cleanup.splice(0).map((c) => c.close()));
  });

  it('a subgraph whose routing URL is the bare origin is sent to "/"', async () => {
    const server = await startTestServer(echoJson());
    const p = createTestPipeline([server.url], {}, { kind: 'subgraph' });
    cleanup.push(server, p);
    // The GraphQL data source calls with an empty path: the routing URL is the endpoint.
    const res = await p.send({ method: 'POST', path: '', body: '{"query":"{ a }"}', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect(server.requests[0]!.url).toBe('/');
  });

  it('the target base path and the request path are joined', async () => {
    const server = await startTestServer(echoJson());
    const p = createTestPipeline([`${server.url}/graphql`], {}, { kind: 'subgraph' });
    cleanup.push(server, p);
    await p.send({ method: 'POST', path: '', body: '{}' });
    await p.send({ path: '/x?y=1' });
    expect(server.requests.map((r) => r.url)).toEqual(['/graphql', '/graphql/x?y=1']);
  });

  it('a request undici refuses to send is an internal error: not retried, not held against the upstream', async () => {
    const server = await startTestServer(echoJson());
    const p = createTestPipeline([server.url], { retry: { attempts: 3, baseDelayMs: 1 }, breaker: { consecutiveFailures: 2 } });
    cleanup.push(server, p);
    for (let i = 0; i < 5; i++) expect(await p.outcome({ headers: { expect: '100-continue' } })).toBe('INTERNAL_SERVER_ERROR');
    expect(p.retries).toEqual([]);
    expect(p.pipeline.breakers.for(p.pipeline.definition.targets[0]!).state).toBe('closed');
    expect(await p.outcome()).toBe('status 200');
  });

  it('keeps connections alive across calls (sequential calls reuse sockets)', async () => {
    const ports = new Set<number>();
    const server = await startTestServer((req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      req.resume();
      res.writeHead(200).end();
    });
    const p = createTestPipeline([server.url]);
    cleanup.push(server, p);
    for (let i = 0; i < 20; i++) await p.send();
    // undici may open a second socket while the first is being released; never one per call.
    expect(ports.size).toBeLessThanOrEqual(2);
  });
});
