import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import type { UpstreamEvents } from '../../../gateway/upstream/types.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { bodyOf, startTestServer, type TestServer } from '../../helpers/http-server.ts';

describe('REST passthrough retries and targets (real gateway, real upstreams)', () => {
  const cleanup: Array<{ close(): Promise<unknown> }> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c.close();
  });

  async function upstream(handler: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
    const s = await startTestServer(handler);
    cleanup.push(s);
    return s;
  }
  async function gatewayWith(routes: NonNullable<Parameters<typeof startGateway>[0]>['routes'], events: UpstreamEvents = {}): Promise<Gateway> {
    const g = await startGateway({ routes }, { events });
    cleanup.push(g);
    return g;
  }

  it('GET (idempotent) on 503 is retried and succeeds; POST and streamed PUT are sent exactly once', async () => {
    // The upstream answers with the next status in `plan`, then 200.
    const plan: number[] = [];
    const flaky = await upstream(async (req, res) => {
      await bodyOf(req);
      res.writeHead(plan.shift() ?? 200).end(`${req.method} ${req.url}`);
    });
    const gw = await gatewayWith([{ name: 'flaky', prefix: '/flaky', targets: [{ url: flaky.url }], policy: { retry: { attempts: 3, baseDelayMs: 1 } } }]);
    const send = async (method: 'GET' | 'POST' | 'PUT', path: string, body?: string) => {
      const res = await request(`${gw.url}/api/v1/flaky${path}`, { method, body });
      await res.body.dump();
      return res.statusCode;
    };

    plan.push(503);
    expect(await send('GET', '/a')).toBe(200);
    expect(flaky.requests.map((r) => r.url)).toEqual(['/a', '/a']);

    plan.push(503);
    expect(await send('POST', '/b', 'once')).toBe(503);
    expect(flaky.requests.filter((r) => r.url === '/b')).toHaveLength(1);

    // PUT is idempotent, but its body is streamed through and cannot be replayed.
    plan.push(503);
    expect(await send('PUT', '/c', 'streamed')).toBe(503);
    expect(flaky.requests.filter((r) => r.url === '/c')).toHaveLength(1);
  });

  it('two targets, one killed: every request still succeeds and the dead one is ejected after consecutiveFailures', async () => {
    const a = await upstream((req, res) => {
      req.resume();
      res.writeHead(200).end('a');
    });
    const b = await upstream((req, res) => {
      req.resume();
      res.writeHead(200).end('b');
    });
    // Attempts on the dead target are refused before its server sees them, so count them
    // as the pipeline reports them: each one failed and was retried on the live target.
    const retries: string[] = [];
    const ejected: string[] = [];
    const events: UpstreamEvents = {
      onRetry: (e) => retries.push(e.reason),
      onBreakerStateChange: (e) => ejected.push(`${e.origin} ${e.to}`),
    };
    const gw = await gatewayWith([
      {
        name: 'pair',
        prefix: '/pair',
        targets: [{ url: a.url }, { url: b.url }],
        policy: { retry: { attempts: 2, baseDelayMs: 1 }, breaker: { consecutiveFailures: 3, minimumRequests: 1000, openMs: 60_000 } },
      },
    ], events);
    for (let i = 0; i < 10; i++) expect((await request(`${gw.url}/api/v1/pair/${i}`).then(async (r) => [r.statusCode, await r.body.text()]))[0]).toBe(200);
    expect(a.requests.length).toBe(5);
    expect(b.requests.length).toBe(5);

    await a.close();
    const bodies: string[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await request(`${gw.url}/api/v1/pair/after-${i}`);
      expect(res.statusCode).toBe(200);
      bodies.push(await res.body.text());
    }
    expect(new Set(bodies)).toEqual(new Set(['b']));
    expect(b.requests.length).toBe(5 + 60);
    expect(retries.length).toBeLessThanOrEqual(3);
    expect(new Set(retries)).toEqual(new Set(['UPSTREAM_UNAVAILABLE']));
    expect(ejected).toEqual([`${a.url} open`]);
    const pipeline = gw.upstreams.get('pair')!;
    expect(pipeline.breakers.for(pipeline.definition.targets[0]!).state).toBe('open');
    expect(pipeline.breakers.for(pipeline.definition.targets[1]!).state).toBe('closed');
  });
});
