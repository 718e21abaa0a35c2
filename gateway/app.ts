import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkReferences, type LoadedConfig } from './config/index.ts';
import { knownNames } from './known-names.ts';
import { NotFoundError } from './errors/gateway-error.ts';
import { serveApollo } from './graphql/apollo-http.ts';
import { createSupergraphDoor } from './graphql/supergraph-door.ts';
import { createPassthrough } from './rest/passthrough.ts';
import { REST_PREFIX, RouteTable } from './rest/route-table.ts';
import { normalizePath } from './rest/normalize-path.ts';
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
import { createCors } from './http/cors.ts';
import { createIde, isIdeAssetPath } from './graphql/ide/index.ts';
import { createClientRuntime, loadDoorRegistry } from './clients/runtime.ts';
import { versionWarningPlugin } from './clients/version-warning-plugin.ts';

export interface Gateway {
  readonly config: LoadedConfig;
  readonly server: Server;
  readonly upstreams: UpstreamRegistry;
  readonly log: Logger;
  /** Base URL once listening, e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
  listen(): Promise<string>;
  /** Graceful (the sequence: http/lifecycle.ts): readiness off, serve through the delay, stop listening once the accept queue is quiet, drain, then run the close hooks (pools, stores, …). */
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
  // Before anything is built: a name in config that names nothing (a typo) stops start-up.
  checkReferences(config, knownNames(config));
  const log = options.log ?? createLogger(config.log.level);
  // Built first, so a contradiction in `cors` or a missing IDE package stops start-up before anything runs.
  const cors = createCors(config.cors, { warn: (message) => log.warn(message) });
  const ide = createIde(config, log);
  const closers = new CloseHooks();
  // Before the metrics: its client names and versions are the only values of their labels.
  const clientRegistry = await loadDoorRegistry(config.clients, log);
  const metrics: GatewayMetrics = new GatewayMetrics({
    operationNames: config.metrics.operationNames,
    maxOperationNames: config.metrics.maxOperationNames,
    clientNames: clientRegistry.clients.map((c) => c.name),
    clientVersions: [...new Set(clientRegistry.clients.flatMap((c) => c.versions.map((v) => v.version)))],
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
    refusedBodyDrain: { maxBytes: config.server.refusedBodyDrainBytes, maxMs: config.server.refusedBodyDrainMs },
    headerRules: upstreams.headerRules,
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
  // Trusted documents, APQ (on the rate limiter's Redis when there is one) and the version policy of every GraphQL door.
  const clients = createClientRuntime({
    config: config.clients,
    registry: clientRegistry,
    limits: config.operationLimits,
    log,
    rateLimitStore,
    onDocument: (door, client, outcome) => metrics.document(door, client.name, outcome),
  });
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
    versionWarningPlugin(),
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
    cors,
    ide,
    documents: (bff) => clients.forDoor(bff),
    plugins: [graphqlTelemetryPlugin({ executeSpan: true }), versionWarningPlugin(), expensiveOperationsPlugin('bff', limiter, config.operationLimits, config.rateLimit.expensive.costThreshold)],
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

  const graphqlDocuments = clients.forDoor('graphql');
  const graphqlCors = cors.forDoor('graphql', 'graphql', config.server.allowGetQueries ? ['GET', 'POST'] : ['POST']);
  const graphqlRoute: EdgeRoute = {
    door: 'graphql',
    routeName: () => 'graphql',
    cors: () => graphqlCors,
    beforeInbound: ide?.pageFor({ path: '/graphql', access: config.auth.doors.graphql }),
    inbound: inboundFor(accessPolicy(() => config.auth.doors.graphql)),
    handler: (req, res, ctx) =>
      serveApollo(supergraphDoor.apollo, req, res, ctx, {
        bodyLimitBytes: config.server.bodyLimitBytes,
        allowGet: config.server.allowGetQueries,
        limits: config.operationLimits,
        prepare: graphqlDocuments,
      }),
  };
  const passthrough = createPassthrough(config, upstreams);
  const restCors = new Map(config.routes.map((r) => [r.name, cors.forRestRoute(r)]));
  const restRoutes = new RouteTable(config.routes);
  /** A preflight is routed by the method it asks for, as the request it precedes will be: the route's `methods` need not list OPTIONS. */
  const preflightRoute = (req: IncomingMessage): string | undefined => {
    const method = req.method === 'OPTIONS' ? req.headers['access-control-request-method'] : undefined;
    if (typeof method !== 'string') return undefined;
    try {
      return restRoutes.match(method.toUpperCase(), normalizePath(pathOf(req))).route.name;
    } catch {
      return undefined;
    }
  };
  const restRoute: EdgeRoute = {
    door: 'rest',
    routeName: passthrough.routeNameOf,
    // An unknown route gets its 404 without CORS, as any path the gateway does not serve.
    cors: (name, req) => restCors.get(name ?? preflightRoute(req) ?? '') ?? null,
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
    if (ide && isIdeAssetPath(path)) return ide.assets.serve(req, res, path);
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
      if (!server.listening) {
        await closers.run(log);
        return { drained: true };
      }
      const result = await lifecycle.drain(server, { timeoutMs: config.server.drainTimeoutMs, delayMs: config.server.shutdownDelayMs });
      if (!result.acceptQueueQuiet) {
        log.warn('clients kept connecting after readiness went 503: connections still in the accept queue when the listener closed may have been reset (raise server.shutdownDelayMs above the balancer\'s probe period)');
      }
      if (!result.drained) log.warn({ inFlight: lifecycle.inFlight, drainTimeoutMs: config.server.drainTimeoutMs }, 'drain timed out: requests still in flight were cut');
      await closers.run(log);
      return { drained: result.drained };
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
