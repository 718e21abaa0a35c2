import { Pool, errors as undiciErrors } from 'undici';
import {
  ClientClosedRequestError,
  InternalError,
  UpstreamResponseTooLargeError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
  isGatewayError,
} from '../errors/gateway-error.ts';
import type { UpstreamPolicyConfig } from '../config/index.ts';
import type { UpstreamCall, UpstreamTarget } from './types.ts';

/** What a Pool is built with, from the policy of the upstream that uses it. */
export interface PoolOptions {
  readonly connections: number;
  readonly keepAliveTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Longest idle gap between two chunks of a streamed body. */
  readonly bodyTimeoutMs: number;
  readonly maxResponseBytes: number;
}

export function poolOptions(policy: UpstreamPolicyConfig): PoolOptions {
  return { ...policy.pool, bodyTimeoutMs: policy.timeoutMs, maxResponseBytes: policy.maxResponseBytes };
}

/**
 * The bottom of every pipeline: one undici Pool per upstream origin, kept alive and
 * shared by all doors. There is no other HTTP client in the gateway.
 *
 * undici bounds answers per client (`maxResponseSize`: it cuts the socket at the byte
 * past the limit, streamed or not), so upstreams on one origin with different limits get
 * a Pool each; with equal limits they share one, built with the first one's options.
 */
export class PoolRegistry {
  readonly #pools = new Map<string, Pool>();

  get(origin: string, options: PoolOptions): Pool {
    const key = `${options.maxResponseBytes} ${origin}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new Pool(origin, {
        connections: options.connections,
        keepAliveTimeout: options.keepAliveTimeoutMs,
        connect: { timeout: options.connectTimeoutMs },
        // Headers are bounded by the timeout policy; the body by idle time between chunks.
        headersTimeout: 0,
        bodyTimeout: options.bodyTimeoutMs,
        maxResponseSize: options.maxResponseBytes,
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.allSettled(pools.map((p) => p.close()));
  }
}

export function createTransport(upstream: string, pools: PoolRegistry, policy: UpstreamPolicyConfig): UpstreamCall {
  const options = poolOptions(policy);
  // Looked up once per target, not per call: the registry's key is a string built per lookup.
  const poolOf = new Map<string, Pool>();
  const limits = bodyLimits(policy);
  return async (req) => {
    const target: UpstreamTarget | undefined = req.target;
    if (!target) throw new Error(`pipeline for "${upstream}" has no balancer: request reached the transport without a target`);
    let pool = poolOf.get(target.origin);
    if (!pool) {
      pool = pools.get(target.origin, options);
      poolOf.set(target.origin, pool);
    }
    const signal = req.signal ?? req.ctx.signal;
    try {
      const res = await pool.request({
        method: req.method,
        // A routing URL that is a bare origin with an empty request path (the GraphQL data
        // source's) means "/": undici refuses a path that does not start with a slash.
        path: target.basePath + req.path || '/',
        headers: req.headers,
        body: req.body,
        signal,
      });
      return { statusCode: res.statusCode, headers: res.headers, body: res.body, target };
    } catch (error) {
      throw classifyTransportError(upstream, error, signal, limits);
    }
  };
}

/** The limits an answer's body is read under, for naming the one that cut it. */
export interface BodyLimits {
  readonly maxResponseBytes: number;
  readonly bodyTimeoutMs: number;
}

export function bodyLimits(policy: UpstreamPolicyConfig): BodyLimits {
  return { maxResponseBytes: policy.maxResponseBytes, bodyTimeoutMs: policy.timeoutMs };
}

/**
 * Transport failures (while connecting, or while the body arrives) become named errors;
 * an abort keeps the reason the signal carries.
 */
export function classifyTransportError(upstream: string, error: unknown, signal: AbortSignal, limits: BodyLimits): unknown {
  if (isGatewayError(error)) return error;
  // undici refusing to build the request (a header it won't send, a bad path) is our bug,
  // not the upstream's: not retried, and not held against the upstream's breaker.
  if (error instanceof undiciErrors.InvalidArgumentError || error instanceof undiciErrors.NotSupportedError) return new InternalError(error);
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return isGatewayError(reason) ? reason : new ClientClosedRequestError();
  }
  if (error instanceof undiciErrors.ResponseExceededMaxSizeError) return new UpstreamResponseTooLargeError(upstream, limits.maxResponseBytes);
  if (error instanceof undiciErrors.BodyTimeoutError) return new UpstreamTimeoutError(upstream, limits.bodyTimeoutMs, 'bodyIdle');
  return new UpstreamUnavailableError(upstream, error);
}
