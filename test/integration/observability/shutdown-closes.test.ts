import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import { composeSubgraphs } from '../../../schema/compose/compose.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { requireSharedRedis, uniqueKeyPrefix } from '../../helpers/redis-shared.ts';
import { postGraphQL } from '../../helpers/stack.ts';
import { waitFor } from '../../helpers/upstream-pipeline.ts';

const PING_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

type Query {
  ping: String
}
`;

/** Idle time neither side of an upstream connection gives up within: only the gateway closing ends one. */
const LONG_IDLE_MS = 600_000;

/**
 * An upstream that keeps every connection open (keep-alive far longer than the test) and
 * remembers each socket, so a test can see exactly when the other side closed it.
 */
interface KeepAliveUpstream {
  readonly url: string;
  /** Sockets the gateway opened and has not closed. */
  open(): number;
  /** Sockets the gateway ever opened. */
  opened(): number;
  close(): Promise<void>;
}

async function startKeepAliveUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<KeepAliveUpstream> {
  const sockets: Socket[] = [];
  const closed = new Set<Socket>();
  const server: Server = createServer({ keepAliveTimeout: LONG_IDLE_MS }, handler);
  server.on('connection', (s: Socket) => {
    sockets.push(s);
    s.once('close', () => closed.add(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    open: () => sockets.filter((s) => !closed.has(s)).length,
    opened: () => sockets.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * `gateway.close()` releases what the gateway holds outside its own listener: every undici
 * Pool's keep-alive sockets (a subgraph's and a REST route's, each a pool of its own) and
 * the rate-limit store's Redis connection. Seen from the other side of each connection:
 * the upstream servers see their sockets closed, Redis no longer lists the client.
 */
describe('shutdown closes pools and Redis', () => {
  let dir: string;
  let subgraph: KeepAliveUpstream;
  let rest: KeepAliveUpstream;
  let observer: Redis;
  let redisUrl: string;
  let gateway: Gateway | undefined;
  const keyPrefix = uniqueKeyPrefix('shutdown');
  // Named through the URL (ioredis takes options from its query): the gateway's connection
  // is then the one `CLIENT LIST` entry with this name, whoever else uses the shared Redis.
  const connectionName = `bffgw-shutdown-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    redisUrl = await requireSharedRedis();
    observer = new Redis(redisUrl, { lazyConnect: true });
    await observer.connect();
    subgraph = await startKeepAliveUpstream((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify({ data: { ping: 'pong' } });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      });
    });
    rest = await startKeepAliveUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
    });
    const composed = composeSubgraphs([{ name: 'ping', url: `${subgraph.url}/graphql`, sdl: PING_SDL }]);
    if (!composed.ok) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    dir = mkdtempSync(join(tmpdir(), 'shutdown-closes-'));
    writeFileSync(join(dir, 'supergraph.graphql'), composed.supergraphSdl);
  });
  afterAll(async () => {
    await gateway?.close();
    if (observer) {
      const keys = await observer.keys(`${keyPrefix}*`);
      if (keys.length > 0) await observer.del(...keys);
      observer.disconnect();
    }
    await subgraph?.close();
    await rest?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The Redis clients named `connectionName`, as Redis lists them. */
  async function gatewayRedisClients(): Promise<string[]> {
    const list = String(await observer.call('CLIENT', 'LIST'));
    return list.split('\n').filter((line) => line.split(' ').includes(`name=${connectionName}`));
  }


  it('after close(), the upstreams see every pooled socket closed and Redis no longer lists the store’s connection', async () => {
    expect(await gatewayRedisClients()).toEqual([]);
    const url = new URL(redisUrl);
    url.searchParams.set('connectionName', connectionName);
    gateway = await startGateway({
      supergraph: { path: join(dir, 'supergraph.graphql'), watch: false },
      routes: [{ name: 'kept', prefix: '/kept', targets: [{ url: rest.url }] }],
      redis: { url: url.toString() },
      rateLimit: { redis: { keyPrefix, timeoutMs: 2_000 } },
      upstreamDefaults: { retry: { attempts: 1 }, pool: { keepAliveTimeoutMs: LONG_IDLE_MS } },
    });

    // Start-up waited for Redis: the store's one connection is there.
    await waitFor(async () => (await gatewayRedisClients()).length === 1, 'the store to connect');
    expect(await gatewayRedisClients()).toHaveLength(1);

    // One call through each pool (each request's rate-limit decision made in Redis).
    const graphql = await postGraphQL(`${gateway.url}/graphql`, '{ ping }');
    expect(graphql.body).toEqual({ data: { ping: 'pong' } });
    const passthrough = await fetch(`${gateway.url}/api/v1/kept/x`);
    expect(passthrough.status).toBe(200);
    await passthrough.arrayBuffer();

    // Kept alive: nothing on either side would close these for minutes.
    expect(subgraph.opened()).toBeGreaterThanOrEqual(1);
    expect(rest.opened()).toBeGreaterThanOrEqual(1);
    expect(subgraph.open()).toBe(subgraph.opened());
    expect(rest.open()).toBe(rest.opened());

    const { drained } = await gateway.close();
    expect(drained).toBe(true);

    await waitFor(() => subgraph.open() === 0 && rest.open() === 0, 'the pooled sockets to close');
    expect(subgraph.open()).toBe(0);
    expect(rest.open()).toBe(0);
    await waitFor(async () => (await gatewayRedisClients()).length === 0, 'the store connection to close');
    expect(await gatewayRedisClients()).toEqual([]);
  });
});
