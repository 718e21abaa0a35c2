import type { RouteConfig } from '../config/index.ts';
import { MethodNotAllowedError, NotFoundError } from '../errors/gateway-error.ts';

export interface RouteMatch {
  readonly route: RouteConfig;
  /** Path to send upstream (after stripping), always starting with `/`. */
  readonly upstreamPath: string;
}

export const REST_PREFIX = '/api/v1';

/**
 * Kong-style prefix routing over normalised paths: longest prefix wins, matched on whole
 * segments (`/notifications` never matches `/notificationsx`).
 */
export class RouteTable {
  readonly #routes: readonly RouteConfig[];

  constructor(routes: readonly RouteConfig[]) {
    this.#routes = [...routes].sort((a, b) => b.prefix.length - a.prefix.length);
  }

  match(method: string, normalizedPath: string): RouteMatch {
    if (!(normalizedPath === REST_PREFIX || normalizedPath.startsWith(`${REST_PREFIX}/`))) {
      throw new NotFoundError(normalizedPath);
    }
    const rest = normalizedPath.slice(REST_PREFIX.length) || '/';
    const route = this.#routes.find((r) => rest === r.prefix || rest.startsWith(`${r.prefix}/`));
    if (!route) throw new NotFoundError(normalizedPath);
    if (!(route.methods as readonly string[]).includes(method)) throw new MethodNotAllowedError(method, route.methods);
    const remainder = route.stripPath ? rest.slice(route.prefix.length) : rest;
    return { route, upstreamPath: `${route.upstreamBasePath}${remainder.startsWith('/') ? '' : '/'}${remainder}` };
  }
}
