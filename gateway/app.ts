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
import { accessPolicy, authenticatePolicy } from './inbound/authenticate.ts';
import { createAuthenticator, DEV_JWKS_PATH, devJwksDocument } from './auth/index.ts';
import { expensiveOperationsPlugin } from './graphql/expensive-operations.ts';
import type { InboundPolicy } from './http/edge.ts';
import { createBffDoors, createInProcessSupergraphClient } from '../bffs/index.ts';
import type { UpstreamEvents } from './upstream/types.ts';
import { GatewayMetrics } from './telemetry/metrics.ts';
import { createRequestObserver } from './telemetry/request-observer.ts';
import { combineEvents, upstreamTelemetryEvents } from './telemetry/upstream-events.ts';
import { rateLimitTelemetry } from './telemetry/rate-limit-hooks.ts';
import { graphqlTelemetryPlugin } from './telemetry/graphql-plugin.ts';
import { watchSupergraph } from './graphql/supergraph-watch.ts';
import { CloseHooks, type CloseHook } from './ops/close-hooks.ts';
import { sendMetrics } from './ops/metrics-endpoint.ts';
import { pathOf } from './http/request-url.ts';

export interface Gateway {
  readonly config: LoadedConfig;
  readonly server: Server;
  readonly upstreams: UpstreamRegistry;
  readonly log: Logger;
  /** Base URL once listening, e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
  listen(): Promise<string>;
  /** Graceful: readiness off, stop accepting, drain in-flight requests, then run the close hooks (pools, stores, …). */
  close(): Promise<{ drained: boolean }>;
  /** This gateway's Prometheus registry (also served at `GET /metrics`). */
  readonly metrics: GatewayMetrics;
  /** Something to close on shutdown, after draining; hooks run last registered first. */
  onClose(name: string, hook: CloseHook): void;
  /** One more condition for `/readyz`. */
  addReadinessCheck(check: ReadinessCheck): void;
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
  const closers = new CloseHooks();
  const metrics: GatewayMetrics = new GatewayMetrics({
    operationNames: config.metrics.operationNames,
    maxOperationNames: config.metrics.maxOperationNames,
    breakers: () => upstreams.breakerStates(),
  });
  // Metrics and the breaker-transition log line always; the caller's observers too.
  const events: UpstreamEvents = combineEvents(upstreamTelemetryEvents(metrics, log), options.events);
  const upstreams = new UpstreamRegistry(config, events, log);
  closers.add('upstream pools', () => upstreams.close());
  const lifecycle = new Lifecycle();
  const trustedProxies = compileTrustedProxies(config.rateLimit.trustedProxies);
  const edge = createEdge({
    log,
    requestTimeoutMs: config.server.requestTimeoutMs,
    clientIp: (req) => resolveClientIp({ socketAddress: req.socket.remoteAddress, forwardedFor: req.headers['x-forwarded-for'] }, trustedProxies),
    observer: createRequestObserver(metrics),
  });
  const rateLimitHooks = rateLimitTelemetry(metrics, { onDecision: options.onRateLimitDecision, onStoreError: options.onRateLimitStoreError });

  const rateLimitStore: RateLimitStore = createRateLimitStore(config.rateLimit, {
    redisUrl: config.redis.url,
    logger: log,
    onStoreError: rateLimitHooks.onStoreError,
  });
  closers.add('rate-limit store', () => rateLimitStore.close());
  // Decisions made before Redis connects would all take the fail mode: give it a moment.
  if (!(await rateLimitStore.waitUntilReady(config.rateLimit.redis.connectTimeoutMs))) {
    log.warn({ failMode: config.rateLimit.redis.failMode }, 'rate-limit store not reachable at start-up; decisions follow the fail mode until it is');
  }
  const limiter = createRateLimiter(config.rateLimit, rateLimitStore, { onDecision: rateLimitHooks.onDecision });
  // Built once: key sources, API-key hashes and the dev key are loaded here, not per request.
  const authenticate = createAuthenticator(config.auth);
  const authenticated = authenticatePolicy(authenticate);
  const limited = rateLimitPolicy(limiter);
  /** The inbound chain of a door: who is calling, may they, and how often. */
  const inboundFor = (access: InboundPolicy): InboundPolicy[] =>
    [authenticated, access, limited].filter((p): p is InboundPolicy => p !== null);
  const routeAccess = new Map(config.routes.map((r) => [r.name, r.access ?? config.auth.doors.rest]));

  const supergraphDoor = createSupergraphDoor(config, upstreams, log, [
    graphqlTelemetryPlugin({ executeSpan: false }),
    expensiveOperationsPlugin('graphql', limiter, config.operationLimits, config.rateLimit.expensive.costThreshold),
  ], { onShared: (kind) => metrics.engineShared(kind) });
  await supergraphDoor.start();
  closers.add('supergraph door', () => supergraphDoor.stop());
  const stopWatching = watchSupergraph(supergraphDoor.supergraph, {
    watchFile: config.supergraph.watch,
    debounceMs: config.supergraph.watchDebounceMs,
    pollUrl: config.supergraph.pollUrl,
    pollIntervalMs: config.supergraph.pollIntervalMs,
    log,
    onReload: (source, result) => metrics.supergraphReload(source, result),
  });
  closers.add('supergraph watch', stopWatching);
  // The per-client BFFs compose the supergraph in-process (no HTTP hop) and REST routes by name.
  const bffDoors = createBffDoors({
    config,
    log,
    upstreams,
    rateLimitStore,
    inboundFor,
    access: config.auth.doors.bff,
    supergraph: createInProcessSupergraphClient(supergraphDoor),
    plugins: [graphqlTelemetryPlugin({ executeSpan: true }), expensiveOperationsPlugin('bff', limiter, config.operationLimits, config.rateLimit.expensive.costThreshold)],
  });
  await bffDoors.start();
  closers.add('bff doors', () => bffDoors.stop());

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
    routeName: () => 'graphql',
    inbound: inboundFor(accessPolicy(() => config.auth.doors.graphql)),
    handler: (req, res, ctx) =>
      serveApollo(supergraphDoor.apollo, req, res, ctx, {
        bodyLimitBytes: config.server.bodyLimitBytes,
        allowGet: config.server.allowGetQueries,
        limits: config.operationLimits,
      }),
  };
  const passthrough = createPassthrough(config, upstreams);
  const restRoute: EdgeRoute = {
    door: 'rest',
    routeName: passthrough.routeNameOf,
    inbound: inboundFor(accessPolicy((ctx) => (ctx.route && routeAccess.get(ctx.route)) || config.auth.doors.rest)),
    handler: passthrough.handle,
  };
  const notFound: EdgeRoute = {
    door: 'rest',
    inbound: [],
    handler: async (req) => {
      throw new NotFoundError(pathOf(req));
    },
  };

  const route = (path: string): EdgeRoute => {
    if (path === '/graphql') return graphqlRoute;
    if (path.startsWith('/bff/')) return bffDoors.route(path) ?? notFound;
    if (path === REST_PREFIX || path.startsWith(`${REST_PREFIX}/`)) return restRoute;
    return notFound;
  };

  const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: config.server.requestTimeoutMs + 5_000 }, (req: IncomingMessage, res: ServerResponse) => {
    lifecycle.track(req, res);
    const path = pathOf(req);
    if (path === '/healthz') return sendLiveness(res);
    if (path === DEV_JWKS_PATH && config.auth.devKeys) return sendDevJwks(res);
    if (path === '/readyz') return void sendReadiness(res, readiness);
    if (path === '/metrics') return void sendMetrics(res, metrics, req.method);
    edge(req, res, route(path)).catch((error: unknown) => {
      log.error({ err: error }, 'unhandled error at the edge');
      sendError(res, error, 'rest');
    });
  });

  lifecycle.attach(server);

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
      const result = server.listening
        ? await lifecycle.drain(server, { timeoutMs: config.server.drainTimeoutMs, delayMs: config.server.shutdownDelayMs })
        : { drained: true };
      await closers.run(log);
      return result;
    },
    metrics,
    onClose: (name, hook) => closers.add(name, hook),
    addReadinessCheck: (check) => void readiness.push(check),
  };
}

/** The embedded dev IdP's public keys, so tools and other services can verify dev tokens. */
function sendDevJwks(res: ServerResponse): void {
  const doc = devJwksDocument();
  res.writeHead(doc.status, doc.headers).end(doc.body);
}
