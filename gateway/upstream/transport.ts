import { Pool, errors as undiciErrors } from 'undici';
import { ClientClosedRequestError, InternalError, UpstreamUnavailableError, isGatewayError } from '../errors/gateway-error.ts';
import type { PoolConfig } from '../config/index.ts';
import type { UpstreamCall, UpstreamTarget } from './types.ts';

/**
 * The bottom of every pipeline: one undici Pool per upstream origin, kept alive and
 * shared by all doors. There is no other HTTP client in the gateway.
 */
export class PoolRegistry {
  readonly #pools = new Map<string, Pool>();

  constructor(private readonly options: (origin: string) => PoolConfig & { bodyTimeoutMs: number }) {}

  get(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      const o = this.options(origin);
      pool = new Pool(origin, {
        connections: o.connections,
        keepAliveTimeout: o.keepAliveTimeoutMs,
        connect: { timeout: o.connectTimeoutMs },
        // Headers are bounded by the timeout policy; the body by idle time between chunks.
        headersTimeout: 0,
        bodyTimeout: o.bodyTimeoutMs,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.allSettled(pools.map((p) => p.close()));
  }
}

export function createTransport(upstream: string, pools: PoolRegistry): UpstreamCall {
  return async (req) => {
    const target: UpstreamTarget | undefined = req.target;
    if (!target) throw new Error(`pipeline for "${upstream}" has no balancer: request reached the transport without a target`);
    try {
      const res = await pools.get(target.origin).request({
        method: req.method,
        // A routing URL that is a bare origin with an empty request path (the GraphQL data
        // source's) means "/": undici refuses a path that does not start with a slash.
        path: target.basePath + req.path || '/',
        headers: req.headers,
        body: req.body,
        signal: req.signal ?? req.ctx.signal,
      });
      return { statusCode: res.statusCode, headers: res.headers, body: res.body, target };
    } catch (error) {
      throw classifyTransportError(upstream, error, req.signal ?? req.ctx.signal);
    }
  };
}

/** Transport failures become named errors; an abort keeps the reason the signal carries. */
export function classifyTransportError(upstream: string, error: unknown, signal: AbortSignal): unknown {
  if (isGatewayError(error)) return error;
  // undici refusing to build the request (a header it won't send, a bad path) is our bug,
  // not the upstream's: not retried, and not held against the upstream's breaker.
  if (error instanceof undiciErrors.InvalidArgumentError || error instanceof undiciErrors.NotSupportedError) return new InternalError(error);
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return isGatewayError(reason) ? reason : new ClientClosedRequestError();
  }
  return new UpstreamUnavailableError(upstream, error);
}
