import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerState } from '../upstream/types.ts';
import { BoundedLabel } from './bounded-label.ts';

/** Seconds; from a fast in-process answer to the default 30 s deadline. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Node's parser accepts only known methods; anything unexpected still maps to one value. */
const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Node's runtime metrics (CPU, memory, event-loop lag, GC) describe the process, not a
 * gateway, and their collectors (an event-loop monitor, a GC observer) cannot be stopped:
 * one set per process, shared by every gateway's exposition.
 */
let runtimeRegistry: Registry | undefined;
function runtimeMetrics(): Registry {
  if (!runtimeRegistry) {
    runtimeRegistry = new Registry();
    collectDefaultMetrics({ register: runtimeRegistry });
  }
  return runtimeRegistry;
}

const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };

export interface BreakerSnapshot {
  readonly upstream: string;
  readonly origin: string;
  readonly state: BreakerState;
}

export interface GatewayMetricsOptions {
  /** Operation names allowed as the `route` label of GraphQL doors; unset: the first `maxOperationNames` seen. */
  operationNames?: readonly string[] | undefined;
  maxOperationNames: number;
  /** The registry's client names and listed versions (gateway/clients/): the only values of the `client` / `client_version` labels; others are `other`. */
  clientNames?: readonly string[];
  clientVersions?: readonly string[];
  /** Read at scrape time, so the gauge is always the breakers' real state. */
  breakers?: () => Iterable<BreakerSnapshot>;
}

export interface HttpRequestObservation {
  readonly door: string;
  readonly route: string;
  readonly method: string;
  readonly statusCode: number;
  readonly durationSeconds: number;
  /** Bounded by `clients` / `clientVersions`. */
  readonly client: string;
  readonly clientVersion: string;
}

export interface UpstreamCallObservation {
  readonly upstream: string;
  readonly kind: string;
  readonly statusCode: number | undefined;
  readonly errorCode: string | undefined;
  readonly durationSeconds: number;
}

/**
 * The gateway's Prometheus metrics, in a registry of its own (not prom-client's global):
 * two gateways in one process (tests) never share or clash. Every label is bounded:
 * doors, config-defined route and upstream names, status codes, error codes, and
 * operation names through `BoundedLabel`; never raw paths or caller identities.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly operations: BoundedLabel;
  /** BFF clients are few and fixed by config; the bound only guards against a header-supplied name. */
  readonly bffClients = new BoundedLabel(undefined, 16);
  /** The calling app (`apollographql-client-name` or the token's claim): registered names only. */
  readonly clients: BoundedLabel;
  readonly clientVersions: BoundedLabel;

  readonly #requests: Counter<'door' | 'route' | 'method' | 'status_code' | 'status_class' | 'client' | 'client_version'>;
  readonly #documents: Counter<'door' | 'client' | 'outcome'>;
  readonly #requestDuration: Histogram<'door' | 'route' | 'method' | 'status_class'>;
  readonly #inFlight: Gauge<'door'>;
  readonly #upstreamRequests: Counter<'upstream' | 'kind' | 'outcome' | 'code'>;
  readonly #upstreamDuration: Histogram<'upstream' | 'kind' | 'outcome'>;
  readonly #retries: Counter<'upstream' | 'reason'>;
  readonly #breakerTransitions: Counter<'upstream' | 'origin' | 'from' | 'to'>;
  readonly #rateLimitDecisions: Counter<'tier' | 'door' | 'decision'>;
  readonly #rateLimitStoreErrors: Counter<'store'>;
  readonly #supergraphReloads: Counter<'source' | 'result'>;
  readonly #engineShared: Counter<'kind'>;

  constructor(options: GatewayMetricsOptions) {
    const registers = [this.registry];
    this.operations = new BoundedLabel(options.operationNames, options.maxOperationNames);
    this.clients = new BoundedLabel(options.clientNames ?? [], 0);
    this.clientVersions = new BoundedLabel(options.clientVersions ?? [], 0);
    runtimeMetrics();

    this.#requests = new Counter({
      name: 'http_server_requests_total',
      help: 'Requests answered, by door, route (REST route or GraphQL operation), method, status and calling app (registered client names and versions; none, other).',
      labelNames: ['door', 'route', 'method', 'status_code', 'status_class', 'client', 'client_version'],
      registers,
    });
    this.#documents = new Counter({
      name: 'graphql_documents_total',
      help: 'GraphQL documents by how the door found them: registered or unregistered (safelist log/enforce), refused (enforce), apq_hit, apq_miss, apq_registered, apq_store_error.',
      labelNames: ['door', 'client', 'outcome'],
      registers,
    });
    this.#requestDuration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Time from request received to response finished.',
      labelNames: ['door', 'route', 'method', 'status_class'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#inFlight = new Gauge({
      name: 'http_server_requests_in_flight',
      help: 'Requests being handled now.',
      labelNames: ['door'],
      registers,
    });
    this.#upstreamRequests = new Counter({
      name: 'upstream_requests_total',
      help: 'Logical upstream calls (after retries), by outcome (success, failure = 5xx, error = no response) and status or error code.',
      labelNames: ['upstream', 'kind', 'outcome', 'code'],
      registers,
    });
    this.#upstreamDuration = new Histogram({
      name: 'upstream_request_duration_seconds',
      help: 'Time from an upstream call starting (retries included) to its response headers.',
      labelNames: ['upstream', 'kind', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#retries = new Counter({
      name: 'upstream_retries_total',
      help: 'Retried upstream attempts, by why the previous one failed.',
      labelNames: ['upstream', 'reason'],
      registers,
    });
    const breakers = options.breakers;
    new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker state per upstream target: 0 closed, 1 half-open, 2 open.',
      labelNames: ['upstream', 'origin'],
      registers,
      collect() {
        this.reset();
        if (!breakers) return;
        for (const b of breakers()) this.set({ upstream: b.upstream, origin: b.origin }, BREAKER_STATE_VALUE[b.state]);
      },
    });
    this.#breakerTransitions = new Counter({
      name: 'circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes.',
      labelNames: ['upstream', 'origin', 'from', 'to'],
      registers,
    });
    this.#rateLimitDecisions = new Counter({
      name: 'rate_limit_decisions_total',
      help: 'Rate-limit checks, by tier, door and decision (allowed or denied).',
      labelNames: ['tier', 'door', 'decision'],
      registers,
    });
    this.#rateLimitStoreErrors = new Counter({
      name: 'rate_limit_store_errors_total',
      help: 'Rate-limit store (Redis) errors: decisions it could not make, and failed connection attempts.',
      labelNames: ['store'],
      registers,
    });
    this.#supergraphReloads = new Counter({
      name: 'supergraph_reloads_total',
      help: 'Supergraph reload attempts: success, rejected (invalid, old one kept) or error (could not read).',
      labelNames: ['source', 'result'],
      registers,
    });
    this.#engineShared = new Counter({
      name: 'engine_deduplicated_total',
      help: 'Work the supergraph engine did not repeat: a subgraph fetch or a whole operation answered by an identical one already in flight.',
      labelNames: ['kind'],
      registers,
    });
  }

  requestStarted(door: string): void {
    this.#inFlight.inc({ door });
  }

  requestFinished(o: HttpRequestObservation): void {
    const method = METHODS.has(o.method) ? o.method : 'OTHER';
    const statusClass = `${Math.floor(o.statusCode / 100)}xx`;
    this.#inFlight.dec({ door: o.door });
    this.#requests.inc({ door: o.door, route: o.route, method, status_code: String(o.statusCode), status_class: statusClass, client: o.client, client_version: o.clientVersion });
    this.#requestDuration.observe({ door: o.door, route: o.route, method, status_class: statusClass }, o.durationSeconds);
  }

  /** `door` is `graphql` or a BFF's name (fixed by config), `client` a registered name, `outcome` one of a fixed set. */
  document(door: string, client: string | undefined, outcome: string): void {
    this.#documents.inc({ door, client: this.clients.value(client, 'none'), outcome });
  }

  upstreamCall(o: UpstreamCallObservation): void {
    const outcome = o.statusCode === undefined ? 'error' : o.statusCode >= 500 ? 'failure' : 'success';
    const code = o.statusCode === undefined ? (o.errorCode ?? 'INTERNAL_SERVER_ERROR') : String(o.statusCode);
    this.#upstreamRequests.inc({ upstream: o.upstream, kind: o.kind, outcome, code });
    this.#upstreamDuration.observe({ upstream: o.upstream, kind: o.kind, outcome }, o.durationSeconds);
  }

  retry(upstream: string, reason: string): void {
    this.#retries.inc({ upstream, reason });
  }

  breakerTransition(upstream: string, origin: string, from: BreakerState, to: BreakerState): void {
    this.#breakerTransitions.inc({ upstream, origin, from, to });
  }

  rateLimitDecision(tier: string, door: string, allowed: boolean): void {
    this.#rateLimitDecisions.inc({ tier, door, decision: allowed ? 'allowed' : 'denied' });
  }

  rateLimitStoreError(store: string): void {
    this.#rateLimitStoreErrors.inc({ store });
  }

  supergraphReload(source: 'file' | 'url', result: 'success' | 'rejected' | 'error'): void {
    this.#supergraphReloads.inc({ source, result });
  }

  engineShared(kind: 'subgraph_fetch' | 'operation'): void {
    this.#engineShared.inc({ kind });
  }

  /** The Prometheus text exposition of everything above plus the process's runtime metrics. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    const own = await this.registry.metrics();
    const runtime = await runtimeMetrics().metrics();
    return { contentType: this.registry.contentType, body: `${own.trimEnd()}\n${runtime}` };
  }
}
