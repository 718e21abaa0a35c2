import type { AccessRequirement } from '../../gateway/auth/index.ts';
import type { LoadedConfig } from '../../gateway/config/index.ts';
import { serveApollo, type ServeApolloOptions } from '../../gateway/graphql/apollo-http.ts';
import type { EdgeRoute, InboundPolicy } from '../../gateway/http/edge.ts';
import type { GatewayCors } from '../../gateway/http/cors.ts';
import type { Ide } from '../../gateway/graphql/ide/index.ts';
import { accessPolicy } from '../../gateway/inbound/authenticate.ts';
import { createFieldRateLimiter, type RateLimitStore } from '../../gateway/rate-limit/index.ts';
import type { Logger } from '../../gateway/telemetry/logger.ts';
import type { UpstreamRegistry } from '../../gateway/upstream/registry.ts';
import type { BffContext, BffServices } from './bff-context.ts';
import { rememberAuthorization } from './caller-credentials.ts';
import { createBffServer, type BffPlugin, type BffServer } from './create-bff.ts';
import type { Bff } from './define-bff.ts';
import { createRestClient } from './rest-client.ts';
import { tracedRestClient, tracedSupergraphClient } from './step-spans.ts';
import type { SupergraphClient } from './supergraph-client.ts';

export interface BffDoorsOptions {
  readonly config: LoadedConfig;
  readonly log: Logger;
  readonly upstreams: UpstreamRegistry;
  /** How the BFFs reach the supergraph: in-process in the gateway, over HTTP in a BFF-only process. */
  readonly supergraph: SupergraphClient;
  /**
   * The gateway's inbound chain around a door's access check (authenticate → access →
   * rate limit): given the BFF's access policy, the policies its door runs, in order.
   */
  readonly inboundFor: (access: InboundPolicy) => readonly InboundPolicy[];
  /** The gateway's rate-limit store, for `@rateLimit` fields. Absent, or `rateLimit.enabled: false`: not enforced. */
  readonly rateLimitStore?: RateLimitStore;
  /** Access per client (`auth.doors.bff`), replacing the requirement in the BFF's definition. */
  readonly access?: Readonly<Partial<Record<string, AccessRequirement>>>;
  /** More Apollo plugins for every BFF server (e.g. the expensive-operations limit for door `bff`). */
  readonly plugins?: ReadonlyArray<BffPlugin | null>;
  /** The gateway's CORS (each door's from `cors.doors.bff` and `cors.routes.<client>`). Absent: none. */
  readonly cors?: GatewayCors;
  /** The development IDE, on each door when present. */
  readonly ide?: Ide | null;
  /** Each door's trusted documents, APQ and version policy (gateway/clients/runtime.ts), by BFF name. Absent: none. */
  readonly documents?: (bff: string) => ServeApolloOptions['prepare'];
}

export interface BffDoors {
  /** The route serving `path` when it is `/bff/<client>/graphql` for a known client. */
  route(path: string): EdgeRoute | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function bffPath(client: string): string {
  return `/bff/${client}/graphql`;
}

/**
 * One door per BFF at `POST /bff/<client>/graphql` (GET for queries when the gateway
 * allows it): door `bff`, clientName and route = the client, so logs, rate limits and the
 * `x-gateway-client` header upstream name it. Each BFF is its own Apollo Server; they
 * share the supergraph client, the REST client (so the route pipelines) and the field
 * rate limiter.
 */
export function createBffDoorsFor(bffs: readonly Bff[], options: BffDoorsOptions): BffDoors {
  const { config, log } = options;
  // Wrapped here, once, so every step of every BFF is a span (step-spans.ts).
  const services: BffServices = {
    supergraph: tracedSupergraphClient(options.supergraph),
    rest: tracedRestClient(createRestClient(options.upstreams, config.routes)),
  };
  const fieldLimiter =
    options.rateLimitStore && config.rateLimit.enabled
      ? createFieldRateLimiter<BffContext<unknown>>({ store: options.rateLimitStore, ipv6PrefixLength: config.rateLimit.ipv6PrefixLength })
      : null;
  const serveOptions = { bodyLimitBytes: config.server.bodyLimitBytes, allowGet: config.server.allowGetQueries, limits: config.operationLimits };

  const servers: BffServer[] = [];
  const routes = new Map<string, EdgeRoute>();
  for (const bff of bffs) {
    if (routes.has(bffPath(bff.name))) throw new Error(`two BFFs are named "${bff.name}"`);
    const apollo = createBffServer(bff, { config, log, fieldLimiter, plugins: options.plugins });
    servers.push(apollo);
    const access = options.access?.[bff.name] ?? bff.access;
    const prepare = options.documents?.(bff.name);
    const doorServeOptions: ServeApolloOptions = prepare ? { ...serveOptions, prepare } : serveOptions;
    const cors = options.cors?.forDoor('bff', bff.name, config.server.allowGetQueries ? ['GET', 'POST'] : ['POST']) ?? null;
    routes.set(bffPath(bff.name), {
      door: 'bff',
      clientName: bff.name,
      routeName: () => bff.name,
      cors: () => cors,
      beforeInbound: options.ide?.pageFor({ path: bffPath(bff.name), access }),
      inbound: options.inboundFor(accessPolicy(() => access)),
      handler: async (req, res, ctx) => {
        rememberAuthorization(ctx, req);
        await serveApollo(apollo, req, res, ctx, doorServeOptions, async () => bff.createContext(ctx, services));
      },
    });
  }

  return {
    route: (path) => routes.get(path),
    start: async () => {
      await Promise.all(servers.map((s) => s.start()));
    },
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
