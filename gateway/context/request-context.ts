import type { IncomingMessage, ServerResponse } from 'node:http';
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
  readonly log: Logger;
  readonly startedAt: number;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface EdgeOptions {
  door: Door;
  clientName?: string;
  requestTimeoutMs: number;
  log: Logger;
  /** The caller's address (trusted proxies applied); the socket's when absent. */
  clientIp?: (req: IncomingMessage) => string;
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
    principal: ANONYMOUS,
    route: undefined,
    deadline: startedAt + options.requestTimeoutMs,
    signal: controller.signal,
    abortFanout: new AbortFanout(controller.signal),
    clientIp: options.clientIp ? options.clientIp(req) : (req.socket.remoteAddress ?? 'unknown'),
    traceparent: headerValue(req, 'traceparent'),
    tracestate: headerValue(req, 'tracestate'),
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

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
