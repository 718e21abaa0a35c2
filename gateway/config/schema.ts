import { z } from 'zod';
import { operationLimitsConfigSchema } from '../graphql/operation-limits/config.ts';
import { rateLimitConfigSchema } from '../rate-limit/config.ts';
import { accessRequirementSchema, authConfigSchema } from '../auth/config.ts';
import { identitySigningConfigSchema } from '../identity-signing/config.ts';
import { corsConfigSchema } from '../http/cors-config.ts';
import { ideConfigSchema } from '../graphql/ide/config.ts';
import { headersConfigSchema } from '../upstream/header-rules-config.ts';
import { clientsConfigSchema } from '../clients/config.ts';

/**
 * The gateway's configuration: one schema, defaults beside each field, unknown keys
 * rejected. Sources are merged by `load.ts` (defaults < base < config file < env <
 * overrides) and the result is validated once and deep-frozen: nothing parses options on
 * the hot path. Each key's doc comment is its documentation: `npm run config:reference`
 * turns them into docs/config-reference.md and docs/config.schema.json.
 */

const durationMs = z.number().int().min(0);
const positiveInt = z.number().int().min(1);

/** Retry policy for one upstream. Only idempotent calls are ever retried. */
export const retrySchema = z.strictObject({
  /** Total attempts including the first; 1 disables retries. Default 3. */
  attempts: positiveInt.max(10).default(3),
  /** Base of the exponential backoff (full jitter). Default 25 ms. */
  baseDelayMs: durationMs.default(25),
  /** Cap of one backoff sleep. Default 1000 ms. */
  maxDelayMs: durationMs.default(1000),
  /** Upstream statuses that count as retryable. Default 502, 503, 504. */
  retryOnStatus: z.array(z.number().int().min(100).max(599)).default([502, 503, 504]),
  /**
   * Also retry an attempt that hit `timeoutMs`. Off by default: `timeoutMs` bounds each
   * attempt, so retrying a hung upstream multiplies the time a client waits (3 attempts of
   * a 2 s timeout is 6 s) for an answer that rarely comes. Default false.
   */
  retryOnTimeout: z.boolean().default(false),
  /**
   * Retry budget: retries in the rolling window may add at most this fraction on top of
   * first attempts (plus `budgetMinRetries`), so an outage cannot multiply load. Default 0.2.
   */
  budgetRatio: z.number().min(0).max(10).default(0.2),
  /** Retries always allowed per window regardless of ratio, so low traffic still retries. Default 10. */
  budgetMinRetries: z.number().int().min(0).default(10),
  /** Length of the budget's rolling window. Default 10000 ms. */
  budgetWindowMs: positiveInt.default(10_000),
});

export const healthCheckSchema = z.strictObject({
  /**
   * Actively probe `path` on an interval: a failed check ejects the target until a check
   * passes. A separate signal from the traffic breaker (Envoy's active health checking
   * beside outlier ejection): a passing check never closes a breaker traffic opened, a
   * failing one never stretches its open period. Default off.
   */
  enabled: z.boolean().default(false),
  /** Path probed on each target; any 2xx passes. Default /health. */
  path: z.string().startsWith('/').default('/health'),
  /** Time between two checks of a target. Default 5000 ms. */
  intervalMs: positiveInt.default(5_000),
  /** A check slower than this fails. Default 1000 ms. */
  timeoutMs: positiveInt.default(1_000),
});

/** Circuit breaker for one upstream (per target for multi-target routes). */
export const breakerSchema = z.strictObject({
  /** Off: failures never open it, so a dead upstream is called (and waited for) every time. Default true. */
  enabled: z.boolean().default(true),
  /** Rolling window over which the failure rate is measured. Default 10000 ms. */
  windowMs: positiveInt.default(10_000),
  /** Buckets the window is divided into (resolution of the roll). Default 10. */
  buckets: positiveInt.max(100).default(10),
  /** Failure rate (0..1) at or above which the breaker opens. Default 0.5. */
  failureRateThreshold: z.number().gt(0).max(1).default(0.5),
  /** Calls needed in the window before the rate is trusted. Default 10. */
  minimumRequests: positiveInt.default(10),
  /**
   * Consecutive failures that open the breaker whatever the rate: passive outlier
   * ejection of a bad target (Envoy's consecutive_5xx). Default 5.
   */
  consecutiveFailures: positiveInt.default(5),
  /** How long the breaker stays open before half-open probes. Default 5000 ms. */
  openMs: positiveInt.default(5_000),
  /** Probes let through while half-open; that many successes close it. Default 1. */
  halfOpenProbes: positiveInt.default(1),
  healthCheck: healthCheckSchema.prefault({}),
});

/** Concurrency limit (bulkhead) for one upstream. */
export const bulkheadSchema = z.strictObject({
  /** Calls in flight at once. Default 256. */
  maxConcurrent: positiveInt.default(256),
  /** Calls allowed to wait for a slot; beyond it calls fail fast. Default 256. */
  maxQueue: z.number().int().min(0).default(256),
});

/** The undici Pool for one upstream origin. */
export const poolSchema = z.strictObject({
  /** Max sockets per origin. Default 128. */
  connections: positiveInt.default(128),
  /** Idle keep-alive before a socket is closed. Default 4000 ms. */
  keepAliveTimeoutMs: positiveInt.default(4_000),
  /** Time to establish a TCP connection. Default 2000 ms. */
  connectTimeoutMs: positiveInt.default(2_000),
});

/** Every policy an upstream call goes through. Per-upstream entries override these key by key. */
export const upstreamPolicySchema = z.strictObject({
  /**
   * Time one attempt may take. A body the gateway reads whole (subgraph fetches, BFF REST
   * calls) is part of the attempt; a streamed one (the passthrough) is bounded after the
   * headers by the same value as the longest idle gap between chunks, so large bodies can
   * stream. Default 10000 ms.
   */
  timeoutMs: positiveInt.default(10_000),
  /**
   * Largest answer body taken from the upstream. A subgraph's answer is held whole and
   * parsed, so this bounds the memory one call can take (ten concurrent 50 MB answers once
   * took the gateway from 191 to 1,092 MiB); a declared Content-Length over it is refused
   * before any byte is read, and a streamed passthrough answer is cut at it. Routes that
   * serve larger downloads raise it per route. Default 32 MiB.
   */
  maxResponseBytes: positiveInt.default(32 * 1024 * 1024),
  /**
   * Forward the client's `Authorization` and `X-API-Key` to this upstream. Off: the gateway
   * consumed them (verified the token, looked up the key) and the upstream gets the signed,
   * verified identity instead (Kong's `hide_credentials`); a route whose upstream checks the
   * token itself turns it on (`routes[].policy.forwardCredentials`). Default false.
   */
  forwardCredentials: z.boolean().default(false),
  retry: retrySchema.prefault({}),
  breaker: breakerSchema.prefault({}),
  bulkhead: bulkheadSchema.prefault({}),
  pool: poolSchema.prefault({}),
});

export const routeTargetSchema = z.strictObject({
  /** Origin (and optional base path) of one instance of the service. */
  url: z.url({ protocol: /^https?$/ }),
  /** Share of the route's calls, relative to the other targets' (smooth weighted round-robin, nginx's). Default 1. */
  weight: positiveInt.max(1000).default(1),
});

/** A REST passthrough route, Kong-style: `/api/v1/<prefix>/...` → targets. */
export const routeSchema = z.strictObject({
  /**
   * The route's name: its upstream's name (`upstreams.<name>`, metrics, logs, breaker), what
   * `rateLimit.routes` and API keys' `routes` refer to, and what BFFs call the service by.
   */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  /** Path prefix under `/api/v1`, e.g. `/notifications`. */
  prefix: z.string().regex(/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/, 'a path like /name'),
  /** Instances of the service; calls are balanced over them and each has its own breaker. */
  targets: z.array(routeTargetSchema).min(1),
  /** Remove the prefix before forwarding (Kong `strip_path`). Default true. */
  stripPath: z.boolean().default(true),
  /** Path on the upstream the (stripped) request path is appended to. Default "". */
  upstreamBasePath: z.string().regex(/^(\/[A-Za-z0-9._~-]+)*$/).default(''),
  /** Methods passed through; others get 405 with `Allow`. Default all of them. */
  methods: z
    .array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']))
    .min(1)
    .default(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
  /** Per-route overrides of the upstream policies (same keys as `upstreamDefaults`). */
  policy: z.record(z.string(), z.unknown()).default({}),
  /** What a caller needs for this route. Default: `auth.doors.rest`. */
  access: accessRequirementSchema.optional(),
});

export const configSchema = z.strictObject({
  /** The HTTP listener: where it binds, how much a request may send and take, how it shuts down. */
  server: z
    .strictObject({
      /** Interface to bind. Default 127.0.0.1 (containers set 0.0.0.0). */
      host: z.string().min(1).default('127.0.0.1'),
      /** Port to listen on; 0 picks a free one. Default 4000. */
      port: z.number().int().min(0).max(65_535).default(4000),
      /** Largest request body accepted on GraphQL doors. Default 1 MiB. */
      bodyLimitBytes: positiveInt.default(1024 * 1024),
      /** Largest request body streamed through the REST passthrough. Default 50 MiB. */
      passthroughBodyLimitBytes: positiveInt.default(50 * 1024 * 1024),
      /**
       * A body refused before it was read whole (over the limit, refused by auth) is still
       * read and thrown away after the answer, up to this many bytes, before the connection
       * closes: closing on a client that is still sending resets the connection, and the
       * reset can take the 413 with it (gateway/http/refused-body.ts). Enough for any upload
       * a client starts before it sees the answer. Default 64 MiB.
       */
      refusedBodyDrainBytes: positiveInt.default(64 * 1024 * 1024),
      /**
       * ...and for at most this long, so a slow or stalled client cannot hold the
       * connection (nginx's `lingering_time` is of this order). Default 5000 ms.
       */
      refusedBodyDrainMs: positiveInt.default(5_000),
      /** Deadline of one inbound request; upstream calls never outlive it. Default 30000 ms. */
      requestTimeoutMs: positiveInt.default(30_000),
      /** On SIGTERM, after `shutdownDelayMs`: how long what was accepted may take to finish. Default 10000 ms. */
      drainTimeoutMs: positiveInt.default(10_000),
      /**
       * On SIGTERM, how long to keep accepting and serving as usual while `/readyz`
       * already says 503, so load balancers stop opening connections here before the
       * listener closes: a connection still in the kernel's accept queue when it closes is
       * reset. Connections open at SIGTERM are asked once to close (`Connection: close` on
       * their next response). Set it above the balancer's probe period (e.g. 5000 on
       * Kubernetes). The sequence: gateway/http/lifecycle.ts. Default 0.
       */
      shutdownDelayMs: durationMs.default(0),
      /** Serve GET /graphql for queries (never mutations). Default true. */
      allowGetQueries: z.boolean().default(true),
      /**
       * How far V8 lets the heap grow past what survived the last full GC before it
       * collects again, in percent (V8's `--heap-growing-percent`, set by the CLI entry
       * points). V8's own policy lets a busy server's heap grow to ~4× its live data: under
       * load most of a gateway's heap is answers already sent, so RSS ends up several times
       * what it holds. 100 (2×) keeps peak RSS near twice the live set for a few percent of
       * CPU (`npm run bench` shows both); 0 leaves V8's policy. Default 100.
       */
      heapGrowthPercent: z.number().int().min(0).max(400).default(100),
    })
    .prefault({}),
  /** Where the supergraph the gateway serves comes from, and how a new one is taken in. */
  supergraph: z
    .strictObject({
      /** Composed supergraph SDL the gateway serves. Default schema/supergraph.graphql. */
      path: z.string().min(1).default('schema/supergraph.graphql'),
      /**
       * Hot reload: watch `path` (its directory, so editors' and `mv`'s atomic replaces are
       * seen) and swap in a changed supergraph once it validates; an invalid one is
       * rejected and the current one keeps serving. Default true.
       */
      watch: z.boolean().default(true),
      /** Quiet time after the last change before reloading (writes come in bursts). Default 200 ms. */
      watchDebounceMs: durationMs.max(60_000).default(200),
      /** Also poll this URL for the supergraph SDL (e.g. a registry's build artifact); unset: no polling. */
      pollUrl: z.url({ protocol: /^https?$/ }).optional(),
      /** How often `pollUrl` is fetched. Default 10000 ms. */
      pollIntervalMs: positiveInt.min(100).default(10_000),
      /**
       * @apollo/gateway's own usage data collection: it probes cloud metadata endpoints and
       * exports metrics to Apollo. Off by default: a gateway should not phone home, and
       * every address it would reach is outside this deployment. Default false.
       */
      apolloDataCollection: z.boolean().default(false),
    })
    .prefault({}),
  /** The supergraph engine: how planned operations are executed (gateway/graphql/engine/). */
  engine: z
    .strictObject({
      /**
       * Which executor runs the query planner's plans: `ours` (gateway/graphql/engine) or
       * `stock` (@apollo/gateway's own executeQueryPlan and Apollo Server round trip for the
       * BFFs), kept for one release so a deployment can compare and fall back. Default ours.
       */
      executor: z.enum(['ours', 'stock']).default('ours'),
      planCache: z
        .strictObject({
          /** Plans (with their compiled result shapes) kept, least recently used evicted. Default 1000. */
          maxEntries: positiveInt.default(1000),
          /** Bound on the cache's estimated size (operation and plan text). Default 32 MiB. */
          maxBytes: positiveInt.default(32 * 1024 * 1024),
        })
        .prefault({}),
      batching: z
        .strictObject({
          /** Send each distinct entity representation of an `_entities` fetch once. Default true. */
          dedupeRepresentations: z.boolean().default(true),
          /**
           * Merge `_entities` fetches to one subgraph that are ready at the same moment (across
           * Flatten nodes, @requires and plain fields) into one request with aliased
           * selections. Default true.
           */
          coalesce: z.boolean().default(true),
        })
        .prefault({}),
      dedup: z
        .strictObject({
          /**
           * Identical subgraph queries in flight at the same moment share one upstream request
           * (never mutations; the caller's identity is part of the key, so callers never see
           * each other's data). On by default, as in Hive Gateway and Hive Router: it only
           * ever saves upstream work. Default true.
           */
          subgraphFetches: z.boolean().default(true),
          /**
           * Identical inbound queries from the same principal in flight at the same moment share
           * one execution. Default false.
           */
          inboundOperations: z.boolean().default(false),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Per-subgraph routing URL overrides (otherwise the supergraph's join__graph url). */
  subgraphs: z
    .record(
      z.string(),
      z.strictObject({
        /** Where this subgraph's GraphQL endpoint is (e.g. `http://users:4001/graphql`). */
        url: z.url({ protocol: /^https?$/ }),
      }),
    )
    .default({}),
  upstreamDefaults: upstreamPolicySchema.prefault({}),
  /** Per-upstream overrides, by subgraph or route name; validated against `upstreamDefaults`. */
  upstreams: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  /** REST passthrough routes, served at `/api/v1/<prefix>/…`; BFFs call REST-only services through them too. Default none. */
  routes: z.array(routeSchema).default([]),
  /**
   * Header rules for upstream requests, Apollo Router's `headers`: propagate client headers
   * (named, renamed, defaulted, or matching a pattern), insert static values or values of
   * the verified identity, remove headers; for `all` upstreams, then per upstream
   * (see gateway/upstream/header-rules-config.ts). Default none: a subgraph or a BFF's REST
   * call gets no client header, the passthrough the client's minus hop-by-hop, and every
   * upstream the gateway's signed identity.
   */
  headers: headersConfigSchema.prefault({}),
  /** Shared state, so several gateway instances enforce one set of rate limits. */
  redis: z
    .strictObject({
      /** When set, rate-limit state and APQ texts (`clients.apq`) live in Redis; otherwise in memory. */
      url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional(),
    })
    .prefault({}),
  /** JWT / API-key authentication and per-door access requirements (see gateway/auth/config.ts). */
  auth: authConfigSchema.prefault({}),
  /** The HMAC key every upstream call is signed with, and rotation (see gateway/identity-signing/config.ts). */
  identitySigning: identitySigningConfigSchema.prefault({}),
  /** Inbound rate limits per caller (see gateway/rate-limit/config.ts). */
  rateLimit: rateLimitConfigSchema.prefault({}),
  /** Depth, alias, root-field, token, size and cost limits of GraphQL documents. */
  operationLimits: operationLimitsConfigSchema.prefault({}),
  /** Trusted documents (safelist), APQ and the client version policy of the GraphQL doors (see gateway/clients/config.ts). */
  clients: clientsConfigSchema.prefault({}),
  /** Which browser origins may call each door, Apollo Router's `cors.policies` (see gateway/http/cors-config.ts). */
  cors: corsConfigSchema.prefault({}),
  /** GraphiQL on the GraphQL doors in development (see gateway/graphql/ide/config.ts). */
  ide: ideConfigSchema.prefault({}),
  /** Prometheus metrics served at `GET /metrics`. */
  metrics: z
    .strictObject({
      /**
       * GraphQL operation names that may appear as the `route` label; others count as
       * `other`. Unset: the first `maxOperationNames` names seen (a client could use them
       * up, so list your operations in production).
       */
      operationNames: z.array(z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/, 'a GraphQL operation name')).optional(),
      /** Bound on distinct operation names when `operationNames` is unset. Default 100. */
      maxOperationNames: z.number().int().min(0).max(10_000).default(100),
    })
    .prefault({}),
  /** Structured logs: one JSON line per record (pino) on stdout. */
  log: z
    .strictObject({
      /** Least severe level logged (pino's levels; one JSON line per record on stdout). Default info. */
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
});

export type GatewayConfigInput = z.input<typeof configSchema>;
export type GatewayConfig = z.output<typeof configSchema>;
export type UpstreamPolicyConfig = z.output<typeof upstreamPolicySchema>;
export type RetryConfig = z.output<typeof retrySchema>;
export type BreakerConfig = z.output<typeof breakerSchema>;
export type BulkheadConfig = z.output<typeof bulkheadSchema>;
export type PoolConfig = z.output<typeof poolSchema>;
export type RouteConfig = z.output<typeof routeSchema>;
export type EngineConfig = z.output<typeof configSchema>['engine'];

/** Typed helper for config files: `export default defineConfig({ ... })`. */
export function defineConfig(config: GatewayConfigInput): GatewayConfigInput {
  return config;
}
