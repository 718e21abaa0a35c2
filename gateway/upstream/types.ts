import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { RequestContext } from '../context/request-context.ts';
import type { UpstreamPolicyConfig } from '../config/index.ts';

/** What an upstream is: a subgraph (GraphQL over POST) or a REST service behind /api/v1. */
export type UpstreamKind = 'subgraph' | 'rest';

export interface UpstreamTarget {
  /** `http://host:port`, the key of the undici Pool. */
  readonly origin: string;
  /** The origin's host and port, parsed once (span attributes on every attempt read them). */
  readonly host: string;
  readonly port: number;
  /** Path prefix on the target, e.g. `/graphql` or `/v2`. */
  readonly basePath: string;
  readonly weight: number;
}

export interface UpstreamDefinition {
  readonly name: string;
  readonly kind: UpstreamKind;
  readonly targets: readonly UpstreamTarget[];
  readonly policy: UpstreamPolicyConfig;
}

export type HttpMethod = Dispatcher.HttpMethod;
export type RequestBody = string | Buffer | Readable | null;

/** An answer's whole body, as a body reader gets it. */
export interface UpstreamAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/**
 * Turns a whole answer into what the caller wants (parsed, checked), or throws a
 * GatewayError saying why it cannot (UPSTREAM_BAD_RESPONSE). Set on a request, it runs
 * inside the call, below the breaker and within the attempt's timeout and byte limit, so
 * a body that is broken, stalls or is too large is the call's outcome: the one the
 * breaker, retry, telemetry and metrics see.
 */
export type BodyReader<T> = (answer: UpstreamAnswer) => T;

/** One call to one upstream, as every door hands it to the pipeline. */
export interface UpstreamRequest<T = undefined> {
  readonly upstream: string;
  readonly method: HttpMethod;
  /** Path and query, relative to the target's basePath. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: RequestBody;
  /**
   * Decided by the door, not by HTTP method: a GraphQL query is idempotent even over POST,
   * a mutation never is. Only idempotent calls are retried.
   */
  readonly idempotent: boolean;
  readonly ctx: RequestContext;
  /** GraphQL operation name, when there is one (telemetry). */
  readonly operationName?: string;
  /**
   * The door set `Authorization` itself, for an upstream that verifies the caller again (the
   * HTTP supergraph client's remote gateway): not stripped, whatever the upstream's
   * `forwardCredentials`. Doors that copy client headers never set it.
   */
  readonly forwardsCredentials?: true;
  /** Set by the balancer; the transport sends here. */
  readonly target?: UpstreamTarget;
  /** Set by the timeout policy: the attempt's signal (client disconnect, deadline, timeout). */
  readonly signal?: AbortSignal;
  /** 1 for the first attempt; set by the retry policy. */
  readonly attempt?: number;
  /**
   * Read the whole body inside the call and make this of it (GraphQL fetches, BFF REST
   * calls). Without one the body streams to the caller after the headers (the passthrough).
   */
  readonly readBody?: BodyReader<T>;
}

export interface UpstreamResponse<T = undefined> {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * undici's body: a Readable with `.text()`, `.json()`, `.dump()`. Must be consumed or
   * dumped, unless the request had a body reader (it is then read already).
   */
  readonly body: Dispatcher.ResponseData['body'];
  readonly target: UpstreamTarget;
  /** What the request's body reader made of the body; set exactly when it had one. */
  readonly read?: { readonly value: T };
}

/** Generic in what the request's body reader makes of the answer, so each door gets its own type back. */
export type UpstreamCall = <T = undefined>(req: UpstreamRequest<T>) => Promise<UpstreamResponse<T>>;

/** A policy wraps the next call. Returning `null` from a factory leaves the policy out. */
export type Policy = (next: UpstreamCall) => UpstreamCall;

/** Observers the pipeline reports to (metrics, traces, logs); wired by telemetry. */
export interface UpstreamEvents {
  onCall?(event: UpstreamCallEvent): void;
  /** Per target: on a multi-target route a target's breaker opening is its ejection (origin says which). */
  onBreakerStateChange?(event: BreakerStateChange): void;
  onRetry?(event: { upstream: string; attempt: number; reason: string }): void;
}

export interface UpstreamCallEvent {
  readonly upstream: string;
  readonly kind: UpstreamKind;
  readonly method: string;
  readonly statusCode: number | undefined;
  /** Stable error code when the call failed (`UPSTREAM_TIMEOUT`, `CIRCUIT_OPEN`, …). */
  readonly errorCode: string | undefined;
  readonly durationMs: number;
  readonly ctx: RequestContext;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerStateChange {
  readonly upstream: string;
  readonly origin: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  readonly reason: string;
}
