import type { RouteConfig } from '../../gateway/config/index.ts';
import type { RequestContext } from '../../gateway/context/request-context.ts';
import { UpstreamBadResponseError, UpstreamUnavailableError } from '../../gateway/errors/gateway-error.ts';
import { targetFromUrl, type UpstreamRegistry } from '../../gateway/upstream/registry.ts';
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
   * a body `decode` refuses throws UPSTREAM_BAD_RESPONSE.
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
      const res = await route.pipeline.call({
        upstream: service,
        method: 'GET',
        path: `${route.basePath}${path}`,
        headers: { accept: 'application/json' },
        body: null,
        idempotent: true,
        ctx,
      });
      if (res.statusCode < 200 || res.statusCode > 299) {
        await res.body.dump().catch(() => undefined);
        throw new UpstreamStatusError(service, res.statusCode);
      }
      let text: string;
      try {
        text = await res.body.text();
      } catch (error) {
        throw new UpstreamUnavailableError(service, error);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new UpstreamBadResponseError(service, 'body is not JSON');
      }
      try {
        return decode(body);
      } catch (error) {
        throw new UpstreamBadResponseError(service, error instanceof DecodeError ? error.message : 'unexpected body');
      }
    },
  };
}
