import type { RouteConfig } from '../../gateway/config/index.ts';
import type { RequestContext } from '../../gateway/context/request-context.ts';
import { UpstreamBadResponseError, UpstreamUnavailableError } from '../../gateway/errors/gateway-error.ts';
import { targetFromUrl, type UpstreamRegistry } from '../../gateway/upstream/registry.ts';
import { callReading } from '../../gateway/upstream/answer-body.ts';
import type { BodyReader } from '../../gateway/upstream/types.ts';
import { UpstreamStatusError } from './errors.ts';

/** Turns a parsed JSON body into `T`, or says why it cannot (the message names the field). */
export type Decoder<T> = (body: unknown) => T;

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export interface RestClient {
  /**
   * `GET <path>` on the REST-only service named `service` (a `config.routes` entry), through
   * that route's upstream pipeline: identity headers, bulkhead, retry, breaker and timeout
   * are the same the /api/v1 passthrough gets. A non-2xx status throws UpstreamStatusError,
   * a body `decode` refuses throws UPSTREAM_BAD_RESPONSE. The body is read and decoded
   * inside the call, so a 2xx whose body is broken, stalls or is too large is the call's
   * failure, the one the route's breaker counts.
   */
  getJson<T>(service: string, path: string, ctx: RequestContext, decode: Decoder<T>): Promise<T>;
}

/**
 * One client per gateway. It takes the route's pipeline from the registry (the same
 * object the passthrough uses, so they share breaker state and pools) and sends paths
 * under the route's `upstreamBasePath`, as the passthrough would.
 */
export function createRestClient(upstreams: UpstreamRegistry, routes: readonly RouteConfig[]): RestClient {
  const byName = new Map(
    routes.map((r) => [r.name, { pipeline: upstreams.pipeline(r.name, 'rest', r.targets.map((t) => targetFromUrl(t.url, t.weight))), basePath: r.upstreamBasePath }]),
  );
  return {
    async getJson(service, path, ctx, decode) {
      const route = byName.get(service);
      if (!route) throw new UpstreamUnavailableError(service, new Error(`no route named "${service}" in config.routes`));
      const { statusCode, value: answer } = await callReading(route.pipeline.call, {
        upstream: service,
        method: 'GET',
        path: `${route.basePath}${path}`,
        headers: { accept: 'application/json' },
        body: null,
        idempotent: true,
        ctx,
        readBody: jsonReader(service, decode),
      });
      // Only a 2xx body is decoded: any other answer is its status, whatever its body says.
      if (answer === undefined) throw new UpstreamStatusError(service, statusCode);
      return answer.decoded;
    },
  };
}

function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

/**
 * Decodes a 2xx body as JSON and with `decode`, inside the call; other statuses are left
 * undecoded (their bodies are error pages, not the service's contract).
 */
function jsonReader<T>(service: string, decode: Decoder<T>): BodyReader<{ readonly decoded: T } | undefined> {
  return ({ statusCode, text }) => {
    if (!isSuccess(statusCode)) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamBadResponseError(service, 'body is not JSON', statusCode);
    }
    try {
      return { decoded: decode(body) };
    } catch (error) {
      throw new UpstreamBadResponseError(service, error instanceof DecodeError ? error.message : 'unexpected body', statusCode);
    }
  };
}
