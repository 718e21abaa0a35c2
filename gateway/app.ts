import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadedConfig } from './config/index.ts';
import { NotFoundError } from './errors/gateway-error.ts';
import { serveApollo } from './graphql/apollo-http.ts';
import { createSupergraphDoor } from './graphql/supergraph-door.ts';
import { createPassthrough } from './rest/passthrough.ts';
import { REST_PREFIX } from './rest/route-table.ts';
import { createEdge, type EdgeRoute } from './http/edge.ts';
import { Lifecycle } from './http/lifecycle.ts';
import { sendError } from './http/respond.ts';
import { sendLiveness, sendReadiness, type ReadinessCheck } from './ops/health.ts';
import { createLogger, type Logger } from './telemetry/logger.ts';
import { UpstreamRegistry } from './upstream/registry.ts';
import type { UpstreamEvents } from './upstream/types.ts';

export interface Gateway {
  readonly config: LoadedConfig;
  readonly server: Server;
  readonly upstreams: UpstreamRegistry;
  readonly log: Logger;
  /** Base URL once listening, e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
  listen(): Promise<string>;
  /** Graceful: stop accepting, drain in-flight requests, close pools. */
  close(): Promise<{ drained: boolean }>;
}

export interface GatewayOptions {
  log?: Logger;
  events?: UpstreamEvents;
}

/**
 * The composition root: builds every part from the validated config and wires the doors
 * to the edge. Nothing here handles a request; it only decides who does.
 */
export async function createGateway(config: LoadedConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? createLogger(config.log.level);
  const events: UpstreamEvents = options.events ?? {
    onBreakerStateChange: (e) => log.warn({ upstream: e.upstream, origin: e.origin, from: e.from, to: e.to, reason: e.reason }, 'circuit breaker state changed'),
  };
  const upstreams = new UpstreamRegistry(config, events, log);
  const lifecycle = new Lifecycle();
  const edge = createEdge({ log, lifecycle, requestTimeoutMs: config.server.requestTimeoutMs });

  const supergraphDoor = createSupergraphDoor(config, upstreams, log);
  await supergraphDoor.start();

  const readiness: ReadinessCheck[] = [
    { name: 'supergraph', check: () => supergraphDoor.supergraph.loaded },
    { name: 'accepting', check: () => !lifecycle.draining },
  ];

  const graphqlRoute: EdgeRoute = {
    door: 'graphql',
    inbound: [],
    handler: (req, res, ctx) =>
      serveApollo(supergraphDoor.apollo, req, res, ctx, { bodyLimitBytes: config.server.bodyLimitBytes, allowGet: config.server.allowGetQueries }),
  };
  const restRoute: EdgeRoute = { door: 'rest', inbound: [], handler: createPassthrough(config, upstreams) };
  const notFound: EdgeRoute = {
    door: 'rest',
    inbound: [],
    handler: async (req) => {
      throw new NotFoundError(pathOf(req));
    },
  };

  const route = (path: string): EdgeRoute => {
    if (path === '/graphql') return graphqlRoute;
    if (path === REST_PREFIX || path.startsWith(`${REST_PREFIX}/`)) return restRoute;
    return notFound;
  };

  const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: config.server.requestTimeoutMs + 5_000 }, (req: IncomingMessage, res: ServerResponse) => {
    lifecycle.track(req, res);
    const path = pathOf(req);
    if (path === '/healthz') return sendLiveness(res);
    if (path === '/readyz') return void sendReadiness(res, readiness);
    edge(req, res, route(path)).catch((error: unknown) => {
      log.error({ err: error }, 'unhandled error at the edge');
      sendError(res, error, 'rest');
    });
  });

  let url = '';
  return {
    config,
    server,
    upstreams,
    log,
    get url() {
      return url;
    },
    listen: () =>
      new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.server.port, config.server.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          url = `http://${host}:${address.port}`;
          resolve(url);
        });
      }),
    close: async () => {
      const result = server.listening ? await lifecycle.drain(server, config.server.drainTimeoutMs) : { drained: true };
      await supergraphDoor.stop();
      await upstreams.close();
      return result;
    },
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(0, q) : url;
}
