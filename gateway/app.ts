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
import { compileTrustedProxies, createRateLimiter, createRateLimitStore, resolveClientIp, type RateLimiterHooks, type RateLimitStore } from './rate-limit/index.ts';
import { rateLimitPolicy } from './inbound/rate-limit.ts';
import { expensiveOperationsPlugin } from './graphql/expensive-operations.ts';
import type { InboundPolicy } from './http/edge.ts';
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
  onRateLimitDecision?: RateLimiterHooks['onDecision'];
  onRateLimitStoreError?: (error: Error) => void;
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
  const trustedProxies = compileTrustedProxies(config.rateLimit.trustedProxies);
  const edge = createEdge({
    log,
    lifecycle,
    requestTimeoutMs: config.server.requestTimeoutMs,
    clientIp: (req) => resolveClientIp({ socketAddress: req.socket.remoteAddress, forwardedFor: req.headers['x-forwarded-for'] }, trustedProxies),
  });

  const rateLimitStore: RateLimitStore = createRateLimitStore(config.rateLimit, {
    redisUrl: config.redis.url,
    logger: log,
    onStoreError: options.onRateLimitStoreError,
  });
  // Decisions made before Redis connects would all take the fail mode: give it a moment.
  if (!(await rateLimitStore.waitUntilReady(config.rateLimit.redis.connectTimeoutMs))) {
    log.warn({ failMode: config.rateLimit.redis.failMode }, 'rate-limit store not reachable at start-up; decisions follow the fail mode until it is');
  }
  const limiter = createRateLimiter(config.rateLimit, rateLimitStore, { onDecision: options.onRateLimitDecision });
  // Inbound policies every door runs, in order (authentication joins ahead of the limit).
  const inbound: InboundPolicy[] = [rateLimitPolicy(limiter)].filter((p): p is InboundPolicy => p !== null);

  const supergraphDoor = createSupergraphDoor(config, upstreams, log, [
    expensiveOperationsPlugin('graphql', limiter, config.operationLimits, config.rateLimit.expensive.costThreshold),
  ]);
  await supergraphDoor.start();

  const readiness: ReadinessCheck[] = [
    { name: 'supergraph', check: () => supergraphDoor.supergraph.loaded },
    { name: 'accepting', check: () => !lifecycle.draining },
  ];
  // A fail-closed limiter cannot serve without its store; a fail-open one degrades instead.
  if (rateLimitStore.kind === 'redis' && config.rateLimit.redis.failMode === 'closed') {
    readiness.push({ name: 'rateLimitStore', check: () => rateLimitStore.ping() });
  }

  const graphqlRoute: EdgeRoute = {
    door: 'graphql',
    inbound,
    handler: (req, res, ctx) =>
      serveApollo(supergraphDoor.apollo, req, res, ctx, {
        bodyLimitBytes: config.server.bodyLimitBytes,
        allowGet: config.server.allowGetQueries,
        limits: config.operationLimits,
      }),
  };
  const passthrough = createPassthrough(config, upstreams);
  const restRoute: EdgeRoute = { door: 'rest', inbound, handler: passthrough.handle, routeName: passthrough.routeNameOf };
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
      await rateLimitStore.close();
      return result;
    },
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(0, q) : url;
}
