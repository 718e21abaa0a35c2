import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { LoadedConfig } from '../config/index.ts';
import type { RequestContext } from '../context/request-context.ts';
import { ClientClosedRequestError, isGatewayError, PayloadTooLargeError } from '../errors/gateway-error.ts';
import { targetFromUrl, type UpstreamRegistry } from '../upstream/registry.ts';
import { bodyLimits, classifyTransportError } from '../upstream/transport.ts';
import type { HttpMethod } from '../upstream/types.ts';
import { clientResponseHeaders, upstreamRequestHeaders } from './forward-headers.ts';
import { normalizePath } from './normalize-path.ts';
import { RouteTable, type RouteMatch } from './route-table.ts';
import { pathOf, splitRequestUrl } from '../http/request-url.ts';

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * `ANY /api/v1/<route>/...`: streams the request to the route's upstream pipeline and the
 * response back, without buffering either body. Policies (breaker, retry, timeout,
 * bulkhead, identity) are the same pipeline the GraphQL doors use. The route's
 * `maxResponseBytes` bounds the answer without buffering it: one that declares more is
 * refused before its headers are sent (502 UPSTREAM_RESPONSE_TOO_LARGE, in the pipeline),
 * one that streams more is cut at the limit (undici stops reading there).
 */
export function createPassthrough(config: LoadedConfig, upstreams: UpstreamRegistry) {
  const table = new RouteTable(config.routes);
  const pipelines = new Map(
    config.routes.map((r) => [r.name, upstreams.pipeline(r.name, 'rest', r.targets.map((t) => targetFromUrl(t.url, t.weight)))]),
  );
  const limit = config.server.passthroughBodyLimitBytes;

  // The match is made once, when the edge asks for the route name, and reused by the handler.
  const matches = new WeakMap<IncomingMessage, RouteMatch>();
  const matchOf = (req: IncomingMessage): RouteMatch => {
    let match = matches.get(req);
    if (!match) {
      match = table.match((req.method ?? 'GET').toUpperCase(), normalizePath(pathOf(req)));
      matches.set(req, match);
    }
    return match;
  };

  /**
   * The route's name for per-route policy, or undefined when nothing matches (the handler
   * then says why). A path that cannot be routed safely (dot segments, encoded slashes) is
   * refused here, before authentication and rate limits: it is malformed whoever sends it.
   */
  const routeNameOf = (req: IncomingMessage): string | undefined => {
    try {
      return matchOf(req).route.name;
    } catch (error) {
      if (isGatewayError(error) && error.code === 'BAD_REQUEST') throw error;
      return undefined;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> => {
    const { search } = splitRequestUrl(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const { route, upstreamPath } = matchOf(req);
    const pipe = pipelines.get(route.name);
    if (!pipe) throw new Error(`route "${route.name}" has no pipeline`);

    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw new PayloadTooLargeError(limit);
    const hasBody = (Number.isFinite(declared) && declared > 0) || req.headers['transfer-encoding'] !== undefined;

    const upload = hasBody ? limitedBody(req, limit) : null;
    const upstreamRes = await pipe
      .call({
        upstream: route.name,
        method: method as HttpMethod,
        path: upstreamPath + search,
        headers: upstreamRequestHeaders(req, ctx.clientIp),
        body: upload?.body ?? null,
        idempotent: IDEMPOTENT_METHODS.has(method),
        ctx,
      })
      .catch((error: unknown) => {
        // However the transport words an upload cut at the limit, the client's answer is the 413.
        throw upload?.exceeded() ? new PayloadTooLargeError(limit) : error;
      });

    res.writeHead(upstreamRes.statusCode, clientResponseHeaders(upstreamRes.headers));
    try {
      await relay(upstreamRes.body, res);
    } catch (error) {
      // Headers are sent, so the edge can only cut the response; name why for the log
      // (UPSTREAM_RESPONSE_TOO_LARGE at the limit, UPSTREAM_TIMEOUT on an idle body, …).
      throw ctx.signal.aborted ? new ClientClosedRequestError() : classifyTransportError(route.name, error, ctx.signal, bodyLimits(pipe.definition.policy));
    }
  };
  return { handle, routeNameOf };
}

/**
 * The request body as the upstream call's body, counted: past the limit the upload fails
 * (and with it the upstream call), and a client that goes away mid-body aborts it too. The
 * request itself is never destroyed (pipe, not pipeline): that would destroy its socket,
 * and the 413 with it; the edge drains what the client still sends (refused-body.ts).
 */
function limitedBody(req: IncomingMessage, limit: number): { body: Readable; exceeded(): boolean } {
  let seen = 0;
  const body = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      done(seen > limit ? new PayloadTooLargeError(limit) : null, chunk);
    },
  });
  req.pipe(body);
  req.once('close', () => {
    if (!req.complete) body.destroy(new ClientClosedRequestError());
  });
  return { body, exceeded: () => seen > limit };
}

/**
 * Streams the upstream body to the client and settles when the client has it all. What
 * stream.pipeline does, for the two ends we have, without its per-call AbortController
 * (whose abort on every finish built a DOMException: ~6% of the passthrough's CPU).
 * Either end failing destroys the other: a client gone cancels the upstream body, an
 * upstream body cut mid-way cuts the response.
 */
function relay(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const onBodyError = (error: Error): void => {
      res.destroy(error);
      reject(error);
    };
    body.once('error', onBodyError);
    res.once('close', () => {
      body.off('error', onBodyError);
      if (res.writableFinished) return resolve();
      body.destroy();
      reject(new Error('the client closed the response before it was complete'));
    });
    body.pipe(res);
  });
}
