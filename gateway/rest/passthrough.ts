import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, pipeline as pipeStreams, type Readable, type TransformCallback } from 'node:stream';
import type { LoadedConfig } from '../config/index.ts';
import type { RequestContext } from '../context/request-context.ts';
import { ClientClosedRequestError, PayloadTooLargeError, UpstreamUnavailableError } from '../errors/gateway-error.ts';
import { targetFromUrl, type UpstreamRegistry } from '../upstream/registry.ts';
import type { HttpMethod } from '../upstream/types.ts';
import { clientResponseHeaders, upstreamRequestHeaders } from './forward-headers.ts';
import { normalizePath } from './normalize-path.ts';
import { RouteTable, type RouteMatch } from './route-table.ts';
import { pathOf, splitRequestUrl } from '../http/request-url.ts';

const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * `ANY /api/v1/<route>/...`: streams the request to the route's upstream pipeline and the
 * response back, without buffering either body. Policies (breaker, retry, timeout,
 * bulkhead, identity) are the same pipeline the GraphQL doors use.
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

  /** The route's name for per-route policy, or undefined when nothing matches (the handler then says why). */
  const routeNameOf = (req: IncomingMessage): string | undefined => {
    try {
      return matchOf(req).route.name;
    } catch {
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

    const upstreamRes = await pipe.call({
      upstream: route.name,
      method: method as HttpMethod,
      path: upstreamPath + search,
      headers: upstreamRequestHeaders(req, ctx.clientIp),
      // pipeline (not pipe) so a client abort or an over-limit body destroys both ends.
      body: hasBody ? pipeStreams(req, byteLimit(limit), () => undefined) : null,
      idempotent: IDEMPOTENT_METHODS.has(method),
      ctx,
    });

    res.writeHead(upstreamRes.statusCode, clientResponseHeaders(upstreamRes.headers));
    try {
      await relay(upstreamRes.body, res);
    } catch (error) {
      // Headers are sent, so the edge can only cut the response; name why for the log.
      throw ctx.signal.aborted ? new ClientClosedRequestError() : new UpstreamUnavailableError(route.name, error);
    }
  };
  return { handle, routeNameOf };
}

/** Counts streamed bytes; past the limit the upload fails and the upstream call aborts. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      done(seen > limit ? new PayloadTooLargeError(limit) : null, chunk);
    },
  });
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
