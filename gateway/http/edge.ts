import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequestContext, type Door, type HeaderVary, type RequestContext } from '../context/request-context.ts';
import { toGatewayError } from '../errors/gateway-error.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { RequestObserver } from '../telemetry/request-observer.ts';
import { sendError } from './respond.ts';
import { closeAfterDrainingBody, type RefusedBodyDrain } from './refused-body.ts';
import type { DoorCors } from './cors.ts';

export type DoorHandler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => Promise<void>;

/** Runs before a door, once per request (authenticate, rate limit, …); may throw to refuse. */
export type InboundPolicy = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => Promise<void> | void;

export interface EdgeRoute {
  readonly door: Door;
  readonly clientName?: string;
  readonly handler: DoorHandler;
  /** Inbound policies for this route, in order. */
  readonly inbound: readonly InboundPolicy[];
  /**
   * Names the route a request is for (REST route, BFF client) before the policies run; may
   * throw to refuse the request before any policy (a path that cannot be routed safely).
   */
  readonly routeName?: (req: IncomingMessage) => string | undefined;
  /** The CORS of the request's route (http/cors.ts), once named; none: the edge does no CORS for it. */
  readonly cors?: (route: string | undefined, req: IncomingMessage) => DoorCors | null;
  /**
   * Answers a request the door's inbound policies must not see (the development IDE's page:
   * a browser opening it has no token yet); resolves true when it answered.
   */
  readonly beforeInbound?: (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => Promise<boolean>;
}

/**
 * The edge: creates the request context once, runs the inbound policies, calls the door,
 * turns whatever was thrown into the door's error format, and writes the access log line.
 */
export function createEdge(options: {
  log: Logger;
  requestTimeoutMs: number;
  clientIp?: (req: IncomingMessage) => string;
  /** Span, metrics and the access log line of each request. */
  observer: RequestObserver;
  /** How much of a body that was refused unread is drained before its connection closes. */
  refusedBodyDrain: RefusedBodyDrain;
  /** The compiled upstream header rules, for each request's context (`RequestContext.headerRules`). Default none. */
  headerRules?: HeaderVary;
}) {
  return async function handle(req: IncomingMessage, res: ServerResponse, route: EdgeRoute): Promise<void> {
    const { ctx, dispose } = createRequestContext(req, res, {
      door: route.door,
      clientName: route.clientName,
      requestTimeoutMs: options.requestTimeoutMs,
      log: options.log,
      clientIp: options.clientIp,
      headerRules: options.headerRules,
    });
    res.setHeader('x-request-id', ctx.requestId);
    let errorCode: string | undefined;
    // Inside the try: naming the route may refuse the request (an unsafe REST path).
    let refusal: { error: unknown } | undefined;
    try {
      ctx.route = route.routeName?.(req);
    } catch (error) {
      refusal = { error };
    }
    const observation = options.observer.begin(req, res, ctx);
    try {
      await observation.run(async () => {
        if (refusal) throw refusal.error;
        // A preflight is answered before any policy: browsers send it without credentials.
        if (route.cors?.(ctx.route, req)?.handle(req, res)) return;
        if (route.beforeInbound && (await route.beforeInbound(req, res, ctx))) return;
        for (const policy of route.inbound) await policy(req, res, ctx);
        await route.handler(req, res, ctx);
      });
    } catch (error) {
      const err = toGatewayError(error);
      errorCode = err.code;
      if (err.code === 'INTERNAL_SERVER_ERROR') ctx.log.error({ err: err.cause ?? err }, 'request failed');
      else if (res.headersSent) ctx.log.warn({ code: err.code }, 'response cut short');
      // A body we refused unread (over the limit, refused early): answer, then close the
      // connection once the rest is drained, so the answer is not lost to a reset.
      if (!req.complete && !res.headersSent && err.code !== 'CLIENT_CLOSED_REQUEST') closeAfterDrainingBody(req, res, options.refusedBodyDrain);
      if (!(ctx.signal.aborted && err.code === 'CLIENT_CLOSED_REQUEST')) sendError(res, err, route.door, ctx.requestId, instanceOf(req));
    } finally {
      dispose();
      // Written once the response is done, so status, bytes and duration are final.
      const end = (): void => observation.end(errorCode);
      if (res.closed) end();
      else res.once('close', end);
    }
  };
}

/** The problem's `instance`: the request target, cut short (it is the client's text). */
function instanceOf(req: IncomingMessage): string | undefined {
  const url = req.url;
  return url === undefined || url.length <= MAX_INSTANCE_CHARS ? url : `${url.slice(0, MAX_INSTANCE_CHARS)}…`;
}

const MAX_INSTANCE_CHARS = 256;
