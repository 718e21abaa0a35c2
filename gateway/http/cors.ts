import type { IncomingMessage, ServerResponse } from 'node:http';
import onHeaders from 'on-headers';
import vary from 'vary';
import { ConfigError } from '../config/load.ts';
import type { RouteConfig } from '../config/schema.ts';
import { resolveCorsSet, type CorsConfig, type CorsPolicyConfig, type CorsSetConfig, type ResolvedCorsSet } from './cors-config.ts';

/**
 * CORS at the edge, compiled once per door from `cors` (cors-config.ts): origins in a set,
 * patterns compiled, every header value joined ahead of time.
 *
 * - A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered
 *   here with 204, before authentication and rate limiting: browsers send it without
 *   credentials, so a door that requires a token would otherwise refuse it.
 * - Any other request gets the matched policy's headers when its answer's head is written,
 *   error answers included (a page must be able to read a 401 or a 429's `Retry-After`).
 * - An origin no policy takes gets no `Access-Control-*` header at all, the preflight
 *   included, which still answers 204: the browser fails the CORS check for the missing
 *   `Access-Control-Allow-Origin` whatever the status, and this is the answer Apollo Router
 *   (and tower-http, expressjs/cors) give, so a page sees the same failure behind either.
 *   The request itself is served as any non-browser client's would be: CORS protects
 *   the caller's browser, not the gateway (authentication and Apollo Server's CSRF
 *   prevention do that).
 */
export interface DoorCors {
  /** Answers a preflight (true) or arranges the CORS headers of the answer to come (false). */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

export interface GatewayCors {
  /** A GraphQL door's (`/graphql` is route `graphql`, a BFF door its client's name). */
  forDoor(door: 'graphql' | 'bff', route: string, methods: readonly string[]): DoorCors;
  /** A REST route's; null when its upstream does CORS itself (`cors.upstreamRoutes`). */
  forRestRoute(route: Pick<RouteConfig, 'name' | 'methods'>): DoorCors | null;
}

/** Longer `Origin` values are no origin a policy lists (a host name is at most 253 characters). */
const MAX_ORIGIN_CHARS = 512;
/** Bounds on echoing `Access-Control-Request-Headers` back: it is the client's text. */
const MAX_ECHOED_HEADERS = 64;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

interface CompiledPolicy {
  readonly origins: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
  /** Headers of an answered preflight besides the origin (and echoed request headers). */
  readonly preflight: ReadonlyArray<readonly [string, string]>;
  /** Echo `Access-Control-Request-Headers` back (no `allowHeaders` list). */
  readonly echoRequestHeaders: boolean;
  /** Headers of any other answer besides the origin. */
  readonly actual: ReadonlyArray<readonly [string, string]>;
}

/** Builds every door's CORS from config; a contradiction stops start-up naming the keys. */
export function createCors(config: CorsConfig, options: { warn?: (message: string) => void } = {}): GatewayCors {
  const upstreamRoutes = new Set(config.upstreamRoutes);
  const build = (door: 'graphql' | 'bff' | 'rest', route: string, methods: readonly string[]): DoorCors => {
    const doorSet = config.doors[door];
    const routeSet = config.routes[route];
    const resolved = resolveCorsSet(config, doorSet, routeSet);
    refuseContradictions(resolved, [
      { key: 'cors', set: config },
      { key: `cors.doors.${door}`, set: doorSet },
      { key: `cors.routes.${route}`, set: routeSet },
    ]);
    if (door !== 'rest' && !resolved.allowAnyOrigin) warnWithoutContentType(resolved, route, options.warn);
    // Only the passthrough relays headers the gateway did not write.
    return compileDoor(resolved, methods, door === 'rest');
  };
  return {
    forDoor: (door, route, methods) => build(door, route, methods),
    forRestRoute: (route) => (upstreamRoutes.has(route.name) ? null : build('rest', route.name, route.methods)),
  };
}

function compileDoor(set: ResolvedCorsSet, doorMethods: readonly string[], relaysUpstreamHeaders: boolean): DoorCors {
  const policies = set.allowAnyOrigin ? [] : set.policies.map((p) => compilePolicy(p, set, doorMethods));
  const anyOrigin = set.allowAnyOrigin ? compilePolicy({ origins: [], matchOrigins: [] }, set, doorMethods) : null;
  // With a fixed answer (`*`, or nothing allowed) a cache may reuse it for every origin.
  const variesByOrigin = !anyOrigin && policies.length > 0;

  const match = (origin: string | undefined): { allowOrigin: string; policy: CompiledPolicy } | null => {
    if (anyOrigin) return { allowOrigin: '*', policy: anyOrigin };
    if (origin === undefined || origin.length > MAX_ORIGIN_CHARS || origin === 'null') return null;
    const lower = origin.toLowerCase();
    for (const policy of policies) {
      if (policy.origins.has(lower) || policy.patterns.some((p) => p.test(lower))) return { allowOrigin: origin, policy };
    }
    return null;
  };

  return {
    handle(req, res) {
      const origin = single(req.headers.origin);
      const matched = match(origin);
      if (req.method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined) {
        if (variesByOrigin) vary(res, 'Origin');
        if (matched) {
          res.setHeader('access-control-allow-origin', matched.allowOrigin);
          for (const [name, value] of matched.policy.preflight) res.setHeader(name, value);
          if (matched.policy.echoRequestHeaders) {
            vary(res, 'Access-Control-Request-Headers');
            const echoed = echoableHeaders(req.headers['access-control-request-headers']);
            if (echoed) res.setHeader('access-control-allow-headers', echoed);
          }
        }
        res.writeHead(204).end();
        return true;
      }
      // Nothing to add or remove (no origin can be allowed on a GraphQL door): no hook at all.
      if (!matched && !variesByOrigin && !relaysUpstreamHeaders) return false;
      onHeaders(res, function decorate(this: ServerResponse) {
        // The gateway owns CORS on this door: an upstream's own headers would contradict it.
        if (relaysUpstreamHeaders) for (const name of this.getHeaderNames()) if (name.startsWith('access-control-')) this.removeHeader(name);
        if (variesByOrigin) vary(this, 'Origin');
        if (!matched) return;
        this.setHeader('access-control-allow-origin', matched.allowOrigin);
        for (const [name, value] of matched.policy.actual) this.setHeader(name, value);
      });
      return false;
    },
  };
}

function compilePolicy(policy: CorsPolicyConfig, set: ResolvedCorsSet, doorMethods: readonly string[]): CompiledPolicy {
  const credentials = policy.allowCredentials ?? set.allowCredentials;
  const allowHeaders = policy.allowHeaders ?? set.allowHeaders;
  const exposeHeaders = policy.exposeHeaders ?? set.exposeHeaders;
  const methods = policy.methods ?? set.methods ?? doorMethods;
  const maxAge = policy.maxAgeSeconds ?? set.maxAgeSeconds;
  const credentialsHeader: Array<[string, string]> = credentials ? [['access-control-allow-credentials', 'true']] : [];
  return {
    origins: new Set(policy.origins.map((o) => o.toLowerCase())),
    // Anchored: an unanchored `https://.*\.example\.com` would take `https://x.example.com.evil.net`.
    patterns: policy.matchOrigins.map((p) => new RegExp(`^(?:${p})$`, 'i')),
    preflight: [
      ...credentialsHeader,
      ['access-control-allow-methods', [...new Set(methods)].join(', ')],
      ...(allowHeaders.length > 0 ? [['access-control-allow-headers', lowerList(allowHeaders)] as [string, string]] : []),
      ['access-control-max-age', String(maxAge)],
    ],
    echoRequestHeaders: allowHeaders.length === 0,
    actual: [...credentialsHeader, ...(exposeHeaders.length > 0 ? [['access-control-expose-headers', lowerList(exposeHeaders)] as [string, string]] : [])],
  };
}

/** The names a preflight asks for that are header names at all, bounded; undefined when none are. */
function echoableHeaders(requested: string | string[] | undefined): string | undefined {
  const text = single(requested);
  if (text === undefined) return undefined;
  const names: string[] = [];
  for (const part of text.split(',')) {
    const name = part.trim().toLowerCase();
    if (TOKEN.test(name) && !names.includes(name)) names.push(name);
    if (names.length === MAX_ECHOED_HEADERS) break;
  }
  return names.length > 0 ? names.join(', ') : undefined;
}

interface Layer {
  readonly key: string;
  readonly set: CorsSetConfig | undefined;
}

/** Credentials with `*`: browsers refuse the answer, so a config that asks for both is wrong. */
function refuseContradictions(resolved: ResolvedCorsSet, layers: readonly Layer[]): void {
  if (!resolved.allowAnyOrigin || !resolved.allowCredentials) return;
  const from = (key: 'allowAnyOrigin' | 'allowCredentials'): string =>
    `${[...layers].reverse().find((l) => l.set?.[key] !== undefined)?.key ?? 'cors'}.${key}`;
  throw new ConfigError([
    `${from('allowAnyOrigin')}: cannot be combined with ${from('allowCredentials')} (browsers refuse credentials with Access-Control-Allow-Origin: *); list the origins in policies instead`,
  ]);
}

function warnWithoutContentType(set: ResolvedCorsSet, route: string, warn: ((message: string) => void) | undefined): void {
  const lists = [set.allowHeaders, ...set.policies.map((p) => p.allowHeaders ?? set.allowHeaders)];
  if (lists.some((l) => l.length > 0 && !l.some((h) => h.toLowerCase() === 'content-type'))) {
    warn?.(`cors: a policy of route "${route}" lists allowHeaders without content-type: browsers cannot POST JSON to that GraphQL door cross-origin`);
  }
}

function lowerList(names: readonly string[]): string {
  return [...new Set(names.map((n) => n.toLowerCase()))].join(', ');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
