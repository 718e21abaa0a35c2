import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { freePort, waitReady } from '../helpers/net.ts';

/**
 * SIGTERM to a real gateway process in the middle of loopback load, several times: no
 * request whose TCP connection had been established is lost. A client's `connect` fires
 * as soon as the kernel completes the handshake, whether or not the gateway has accepted
 * the connection yet; one still in the listen backlog when the listening socket closes is
 * reset by the kernel. So "lost" is judged by the client alone: connected (its socket's
 * `connect` fired, or it reused a connected keep-alive socket), then no complete answer.
 * A refused connection is fine: the listener is closed and the client goes elsewhere.
 *
 * The load is what a gateway behind a load balancer sees:
 * - keep-alive clients (an LB's pooled connections, autocannon) that ignore readiness:
 *   they send back to back (some with a little think time) on their connection, and
 *   reconnect when it closes, until a connection is refused;
 * - new-connection clients (one connection per request) that open connections only while
 *   the "balancer" believes the gateway ready: a probe polls `/readyz` every 100 ms;
 * - two keep-alive clients on a slow route, so requests are in flight when the listener
 *   closes.
 * A `SHUTDOWN_DELAY_MS` longer than the probe period lets the balancer see 503 first.
 */

const RUNS = 3;
const SLOW_MS = 400;
const PROBE_MS = 100;
const KEEP_ALIVE_CLIENTS = 12;
const SLOW_CLIENTS = 2;
const NEW_CONNECTION_CLIENTS = 4;
/** Bounds of one run's load, whatever happens. */
const MAX_REQUESTS = 5_000;
const MAX_LOAD_MS = 20_000;
const BODY = JSON.stringify({ ok: true, filler: 'x'.repeat(2_048) });

type Kind = 'keep-alive' | 'slow' | 'new-connection' | 'probe';
type Outcome =
  | { kind: 'ok'; client: Kind; status: number; startedAt: number; endedAt: number; freshConnection: boolean }
  | { kind: 'refused'; client: Kind; at: number }
  | { kind: 'lost'; client: Kind; reason: string; startedAt: number; freshConnection: boolean };

describe('fault: SIGTERM under load loses no connected request', () => {
  let upstream: TestServer;
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    upstream = await startTestServer(async (req, res) => {
      req.resume();
      if (req.url?.includes('/slow')) await sleep(SLOW_MS);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) }).end(BODY);
    });
    dir = mkdtempSync(join(tmpdir(), 'sigterm-queue-'));
  });
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = undefined;
  });
  afterAll(async () => {
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (let run = 1; run <= RUNS; run++) {
    it(`run ${run} of ${RUNS}: every request that connected is answered in full; refusals only after the listener closed`, async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const configFile = join(dir, `gateway-${run}.json`);
      writeFileSync(
        configFile,
        JSON.stringify({
          routes: [{ name: 'echo', prefix: '/echo', targets: [{ url: upstream.url }] }],
          // Every client is one loopback address: the anonymous limit would answer 429s.
          rateLimit: { tiers: { anonymous: { limit: 1_000_000 } } },
          supergraph: { watch: false },
        }),
      );
      let stderr = '';
      child = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli/start.ts'], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          GATEWAY_CONFIG: configFile,
          SHUTDOWN_DELAY_MS: '1000',
          DRAIN_TIMEOUT_MS: '5000',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
      await waitReady(`${base}/readyz`, 30_000).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${stderr}`);
      });

      const load = startLoad(base);
      const underWay = Date.now() + 10_000;
      while (load.answered() < 200 && Date.now() < underWay) await sleep(20);
      expect(load.answered()).toBeGreaterThanOrEqual(200);

      const sigtermAt = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      const outcomes = await load.done;
      expect(code, stderr).toBe(0);

      const lost = outcomes.filter((o) => o.kind === 'lost');
      expect(lost, JSON.stringify(lost.slice(0, 10))).toEqual([]);
      const ok = outcomes.filter((o): o is Extract<Outcome, { kind: 'ok' }> => o.kind === 'ok');
      expect(ok.filter((o) => o.status !== 200 && o.client !== 'probe')).toEqual([]);

      const refused = outcomes.filter((o): o is Extract<Outcome, { kind: 'refused' }> => o.kind === 'refused');
      // Every keep-alive client, the slow ones and the probe stopped at a refusal: the
      // listener did close, and nothing was left hanging.
      expect(refused.length).toBeGreaterThanOrEqual(KEEP_ALIVE_CLIENTS + 1);
      const closedAt = Math.min(...refused.map((r) => r.at));
      // The balancer saw readiness go 503 before the gateway stopped accepting.
      const probes = ok.filter((o) => o.client === 'probe' && o.startedAt > sigtermAt);
      expect(probes.some((o) => o.status === 503 && o.endedAt < closedAt), JSON.stringify(probes.map((p) => p.status))).toBe(true);
      // It kept serving after SIGTERM, on old connections and on connections accepted after it.
      expect(ok.filter((o) => o.client === 'keep-alive' && o.startedAt > sigtermAt).length).toBeGreaterThan(KEEP_ALIVE_CLIENTS);
      expect(ok.some((o) => o.freshConnection && o.startedAt > sigtermAt)).toBe(true);
      // Requests in flight when the listener closed finished, in full.
      expect(ok.some((o) => o.client === 'slow' && o.startedAt < closedAt && o.endedAt > closedAt)).toBe(true);
    }, 60_000);
  }
});

/** The load of one run (see the file comment); `done` resolves once every client stopped. */
function startLoad(base: string): { answered: () => number; done: Promise<Outcome[]> } {
  const outcomes: Outcome[] = [];
  const started = Date.now();
  let sent = 0;
  let balancerSeesReady = true;
  const within = (): boolean => sent < MAX_REQUESTS && Date.now() - started < MAX_LOAD_MS;
  const record = (o: Outcome): Outcome => (outcomes.push(o), o);

  const keepAlive = async (kind: Kind, path: string, thinkMs: number): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (within()) {
        sent++;
        if (record(await send(base, path, agent, kind)).kind === 'refused') return;
        if (thinkMs > 0) await sleep(thinkMs);
      }
    } finally {
      agent.destroy();
    }
  };
  const probe = async (): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (within()) {
        const o = record(await send(base, '/readyz', agent, 'probe'));
        if (o.kind === 'refused') return;
        if (o.kind === 'ok') balancerSeesReady = o.status === 200;
        await sleep(PROBE_MS);
      }
    } finally {
      agent.destroy();
    }
  };
  const newConnections = async (): Promise<void> => {
    while (balancerSeesReady && within()) {
      sent++;
      record(await send(base, '/api/v1/echo/x', false, 'new-connection'));
    }
  };

  const clients: Array<Promise<void>> = [probe()];
  for (let i = 0; i < KEEP_ALIVE_CLIENTS; i++) clients.push(keepAlive('keep-alive', '/api/v1/echo/x', i % 3 === 0 ? 1 + (i % 7) : 0));
  for (let i = 0; i < SLOW_CLIENTS; i++) clients.push(keepAlive('slow', '/api/v1/echo/slow', 0));
  for (let i = 0; i < NEW_CONNECTION_CLIENTS; i++) clients.push(newConnections());
  return {
    answered: () => outcomes.filter((o) => o.kind === 'ok').length,
    done: Promise.all(clients).then(() => outcomes),
  };
}

/**
 * One GET. Connected means its socket completed the TCP handshake (`connect`) or was a
 * reused keep-alive socket; an error before that is a refusal, after it a loss, and so is
 * an answer shorter than its `content-length`.
 */
function send(base: string, path: string, agent: Agent | false, client: Kind): Promise<Outcome> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    let connected = false;
    let freshConnection = false;
    const lost = (reason: string): void => resolve({ kind: 'lost', client, reason, startedAt, freshConnection });
    const req = request(`${base}${path}`, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('error', (e) => lost(String(e)));
      res.on('aborted', () => lost('aborted'));
      res.on('end', () => {
        const declared = Number(res.headers['content-length']);
        if (!res.complete || (Number.isFinite(declared) && declared !== bytes)) return lost(`short body ${bytes}/${declared}`);
        resolve({ kind: 'ok', client, status: res.statusCode ?? 0, startedAt, endedAt: Date.now(), freshConnection });
      });
    });
    req.on('socket', (s) => {
      if (!s.connecting) connected = true;
      else
        s.once('connect', () => {
          connected = true;
          freshConnection = true;
        });
    });
    req.on('error', (e) => (connected ? lost(String(e)) : resolve({ kind: 'refused', client, at: Date.now() })));
    req.end();
  });
}
