import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ANONYMOUS, type Principal } from './principal.ts';
import { AbortFanout } from './abort-fanout.ts';
import type { Logger } from '../telemetry/logger.ts';

/** Which way a request came in; decides error format and policy defaults. */
export type Door = 'graphql' | 'bff' | 'rest' | 'ops';

/**
 * The one per-request object, created at the edge and passed down to every resolver,
 * data source and upstream policy. Nothing below the edge re-derives these values.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly door: Door;
  /** BFF client (`mobile`, `web`, `admin`) or the `apollographql-client-name` header. */
  readonly clientName: string | undefined;
  /** The `apollographql-client-version` header, when it is a plausible version (≤ 64 of `[0-9A-Za-z._+-]`); the client's word. */
  readonly clientVersion: string | undefined;
  /**
   * The calling app as the GraphQL door decided it (gateway/clients/client-identity.ts):
   * the verified token's claims over the headers. Unset until a GraphQL door ran.
   */
  client: CallingClient | undefined;
  /** Set once by authentication; `anonymous` until then. */
  principal: Principal;
  /** The matched route (REST route name, BFF client) once the edge knows it; keys per-route policy. */
  route: string | undefined;
  /** Epoch ms after which nothing should still run for this request. */
  readonly deadline: number;
  /**
   * Aborted when the client disconnects or the deadline passes. Upstream calls listen to it
   * through `abortFanoutOf(ctx)` (abort-fanout.ts): one listener per request, not per call.
   */
  readonly signal: AbortSignal;
  /** The fan-out of `signal`'s abort; `abortFanoutOf` makes one for a context without it. */
  readonly abortFanout?: AbortFanout;
  readonly clientIp: string;
  /** W3C trace context received from the client, forwarded upstream. */
  readonly traceparent: string | undefined;
  readonly tracestate: string | undefined;
  /**
   * The client's request headers as node:http parsed them (lower-case names): what the
   * upstream header rules propagate from (gateway/upstream/header-rules.ts). Only rules
   * read them; nothing else below the edge forwards them.
   */
  readonly requestHeaders: IncomingHttpHeaders;
  /**
   * What the gateway's upstream header rules read of a request (the compiled `headers`
   * config, shared by every request, like `log`): the engine keys its in-flight sharing on
   * it, so callers whose rules would send different headers never share an upstream request.
   */
  readonly headerRules: HeaderVary;
  readonly log: Logger;
  readonly startedAt: number;
}

/** Which app calls, and where that came from (a token is verified, a header is the client's word). */
export interface CallingClient {
  readonly name: string | undefined;
  readonly version: string | undefined;
  readonly source: 'token' | 'header' | 'door' | 'none';
}

/** See `RequestContext.headerRules`; implemented by gateway/upstream/header-rules.ts. */
export interface HeaderVary {
  /** '' when the rules read nothing of the request that varies between requests. */
  varyKey(ctx: RequestContext): string;
}

/** No header rules: nothing of the request reaches an upstream but what the doors and the identity policy set. */
export const NO_HEADER_RULES: HeaderVary = Object.freeze({ varyKey: () => '' });

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface EdgeOptions {
  door: Door;
  clientName?: string;
  requestTimeoutMs: number;
  log: Logger;
  /** The caller's address (trusted proxies applied); the socket's when absent. */
  clientIp?: (req: IncomingMessage) => string;
  /** The gateway's compiled upstream header rules. Default: none. */
  headerRules?: HeaderVary;
}

/**
 * Builds the context and ties its lifetime to the HTTP exchange: the signal aborts on
 * client disconnect (response closed before it finished) or at the deadline; `dispose`
 * clears the deadline timer when the response is done.
 */
export function createRequestContext(
  req: IncomingMessage,
  res: ServerResponse,
  options: EdgeOptions,
): { ctx: RequestContext; dispose: () => void } {
  const incomingId = headerValue(req, 'x-request-id');
  const requestId = incomingId && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
  const startedAt = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded()), options.requestTimeoutMs);
  timer.unref();
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort(new ClientGone());
  };
  res.once('close', onClose);

  const ctx: RequestContext = {
    requestId,
    door: options.door,
    clientName: options.clientName ?? headerValue(req, 'apollographql-client-name'),
    clientVersion: plausibleVersion(headerValue(req, 'apollographql-client-version')),
    client: undefined,
    principal: ANONYMOUS,
    route: undefined,
    deadline: startedAt + options.requestTimeoutMs,
    signal: controller.signal,
    abortFanout: new AbortFanout(controller.signal),
    clientIp: options.clientIp ? options.clientIp(req) : (req.socket.remoteAddress ?? 'unknown'),
    traceparent: headerValue(req, 'traceparent'),
    tracestate: headerValue(req, 'tracestate'),
    requestHeaders: req.headers,
    headerRules: options.headerRules ?? NO_HEADER_RULES,
    log: options.log.child({ requestId }),
    startedAt,
  };
  return {
    ctx,
    dispose: () => {
      clearTimeout(timer);
      res.off('close', onClose);
    },
  };
}

/** Abort reasons, so policies can tell a deadline from a client that went away. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}
export class ClientGone extends Error {
  override readonly name = 'ClientGone';
}

/** What a client version may look like (it goes into logs and metric labels). */
export const CLIENT_VERSION = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;

/** A header value kept only when it looks like a version: it reaches logs and metric labels. */
function plausibleVersion(value: string | undefined): string | undefined {
  return value !== undefined && CLIENT_VERSION.test(value) ? value : undefined;
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
