import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequestContext, type Door, type RequestContext } from '../context/request-context.ts';
import { toGatewayError } from '../errors/gateway-error.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { RequestObserver } from '../telemetry/request-observer.ts';
import { sendError } from './respond.ts';

export type DoorHandler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => Promise<void>;

/** Runs before a door, once per request (authenticate, rate limit, …); may throw to refuse. */
export type InboundPolicy = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => Promise<void> | void;

export interface EdgeRoute {
  readonly door: Door;
  readonly clientName?: string;
  readonly handler: DoorHandler;
  /** Inbound policies for this route, in order. */
  readonly inbound: readonly InboundPolicy[];
  /** Names the route a request is for (REST route, BFF client) before the policies run. */
  readonly routeName?: (req: IncomingMessage) => string | undefined;
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
}) {
  return async function handle(req: IncomingMessage, res: ServerResponse, route: EdgeRoute): Promise<void> {
    const { ctx, dispose } = createRequestContext(req, res, {
      door: route.door,
      clientName: route.clientName,
      requestTimeoutMs: options.requestTimeoutMs,
      log: options.log,
      clientIp: options.clientIp,
    });
    ctx.route = route.routeName?.(req);
    res.setHeader('x-request-id', ctx.requestId);
    let errorCode: string | undefined;
    const observation = options.observer.begin(req, res, ctx);
    try {
      await observation.run(async () => {
        for (const policy of route.inbound) await policy(req, res, ctx);
        await route.handler(req, res, ctx);
      });
    } catch (error) {
      const err = toGatewayError(error);
      errorCode = err.code;
      if (err.code === 'INTERNAL_SERVER_ERROR') ctx.log.error({ err: err.cause ?? err }, 'request failed');
      else if (res.headersSent) ctx.log.warn({ code: err.code }, 'response cut short');
      // A body we stopped reading (over the limit, refused early) would be parsed as the
      // next request on this keep-alive connection: answer, then close the connection.
      if (!req.complete && !res.headersSent) res.setHeader('connection', 'close');
      if (!(ctx.signal.aborted && err.code === 'CLIENT_CLOSED_REQUEST')) sendError(res, err, route.door, ctx.requestId, req.url);
    } finally {
      dispose();
      // Written once the response is done, so status, bytes and duration are final.
      const end = (): void => observation.end(errorCode);
      if (res.closed) end();
      else res.once('close', end);
    }
  };
}
