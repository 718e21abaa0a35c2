import { createServer, request, Agent, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/app.ts';
import { Lifecycle } from '../../gateway/http/lifecycle.ts';
import { startGateway } from '../helpers/gateway.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';

/**
 * The drain's steps one at a time, on an in-process gateway and raw loopback sockets (the
 * SIGTERM-under-load test, sigterm-accept-queue.test.ts, is the statistical one):
 * which response says `connection: close`, when the listener closes, what is served after.
 */

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Local port of the client socket: the same port is the same connection. */
  readonly localPort: number | undefined;
  readonly socket: Socket | null;
}

function get(url: string, agent: Agent | false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, localPort: req.socket?.localPort, socket: req.socket }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('shutdown sequence', () => {
  let upstream: TestServer;
  let gateway: Gateway | undefined;
  const agents: Agent[] = [];
  const keepAlive = (): Agent => {
    const a = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(a);
    return a;
  };

  beforeAll(async () => {
    upstream = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
    });
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.destroy();
    if (gateway?.server.listening) await gateway.close();
    gateway = undefined;
  });
  afterAll(async () => {
    await upstream?.close();
  });

  const start = (server: { shutdownDelayMs: number; drainTimeoutMs: number }) =>
    startGateway({ server, routes: [{ name: 'echo', prefix: '/echo', targets: [{ url: upstream.url }] }] });

  it('during the delay: readiness 503, each connection open at SIGTERM is asked once to close, one opened later stays keep-alive, and after the listener closes its next answer says close', async () => {
    gateway = await start({ shutdownDelayMs: 500, drainTimeoutMs: 5_000 });
    const echo = `${gateway.url}/api/v1/echo/x`;
    const old = keepAlive();
    const before = await get(echo, old);
    expect(before.headers.connection).toBe('keep-alive');

    const closing = gateway.close();
    expect((await get(`${gateway.url}/readyz`, false)).status).toBe(503);
    const asked = await get(echo, old);
    expect(asked).toMatchObject({ status: 200, localPort: before.localPort });
    expect(asked.headers.connection).toBe('close');
    // Its client reconnects (the listener is still open) and is not asked again.
    const reconnected = await get(echo, old);
    expect(reconnected.localPort).not.toBe(before.localPort);
    expect(reconnected.headers.connection).toBe('keep-alive');

    // Busy on that connection until the listener closes: kept alive until then, served
    // after it, and the first answer prepared once it closed says close.
    const server = gateway.server;
    const answers: Array<Answer & { listening: boolean }> = [];
    for (let i = 0; i < 10_000; i++) {
      const a = await get(echo, old);
      answers.push({ ...a, listening: server.listening });
      if (a.headers.connection === 'close') break;
    }
    const last = answers.at(-1);
    expect(last).toMatchObject({ status: 200, localPort: reconnected.localPort, listening: false });
    expect(last?.headers.connection).toBe('close');
    const kept = answers.slice(0, -1);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((a) => a.status === 200 && a.localPort === reconnected.localPort && a.headers.connection === 'keep-alive')).toBe(true);
    expect(await closing).toEqual({ drained: true });
  });

  it('a connection accepted before the listener closed whose request is still arriving is served after it closed', async () => {
    gateway = await start({ shutdownDelayMs: 0, drainTimeoutMs: 5_000 });
    const { port } = gateway.server.address() as AddressInfo;
    const socket: Socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const ended = new Promise((resolve) => socket.once('close', resolve));
    // The first bytes of a request: the gateway must not take this connection for idle.
    socket.write('GET /api/v1/echo/x HTTP/1.1\r\n');

    const closing = gateway.close();
    const server = gateway.server;
    await until('the listener to close', () => !server.listening);
    await sleep(400); // longer than an idle connection is kept once the listener closed
    socket.write('host: 127.0.0.1\r\n\r\n');
    await ended;
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received.toLowerCase()).toContain('connection: close');
    expect(await closing).toEqual({ drained: true });
  });

  it('an idle keep-alive connection is closed by the gateway once the listener closed, and close() then finishes without waiting for the drain timeout', async () => {
    gateway = await start({ shutdownDelayMs: 0, drainTimeoutMs: 60_000 });
    const agent = keepAlive();
    const first = await get(`${gateway.url}/api/v1/echo/x`, agent);
    expect(first.headers.connection).toBe('keep-alive');
    const closedByServer = new Promise((resolve) => first.socket?.once('end', resolve));
    // The test's own timeout (20 s) is far below the 60 s drain budget.
    expect(await gateway.close()).toEqual({ drained: true });
    await closedByServer;
  });
});

describe('Lifecycle.drain: clients that ignore readiness', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    server = undefined;
  });

  it('keeps accepting while connections keep arriving, then closes anyway and says the accept queue was not quiet', async () => {
    const lifecycle = new Lifecycle();
    const s = createServer((req, res) => {
      lifecycle.track(req, res);
      res.end('ok');
    });
    server = s;
    lifecycle.attach(s);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const { port } = s.address() as AddressInfo;
    let answered = 0;
    let refused = false;
    // One new connection every 20 ms (never a 100 ms pause), at most 500 of them.
    const hammer = (async () => {
      for (let i = 0; i < 500 && !refused; i++) {
        await get(`http://127.0.0.1:${port}/`, false).then(
          () => answered++,
          () => (refused = true),
        );
        await sleep(20);
      }
    })();
    const result = await lifecycle.drain(s, { timeoutMs: 4_000 });
    await hammer;
    expect(result).toEqual({ drained: true, acceptQueueQuiet: false });
    expect(refused).toBe(true);
    expect(answered).toBeGreaterThan(10);
  });

  it('closes the listener once nothing connects, with a quiet accept queue', async () => {
    const lifecycle = new Lifecycle();
    const s = createServer((req, res) => {
      lifecycle.track(req, res);
      res.end('ok');
    });
    server = s;
    lifecycle.attach(s);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    expect(await lifecycle.drain(s, { timeoutMs: 4_000 })).toEqual({ drained: true, acceptQueueQuiet: true });
    expect(s.listening).toBe(false);
  });
});
