import { z } from 'zod';

/**
 * `cors`: which browser origins may call the gateway's doors, as Apollo Router's
 * `cors.policies` says it. A request's `Origin` picks the first policy that lists it
 * (`origins`) or matches it (`matchOrigins`); that policy's headers answer. An origin no
 * policy takes gets no `Access-Control-*` header at all, so the browser refuses to hand the
 * answer to the page. Nothing is allowed by default: a production gateway opens to the web
 * apps it names (`npm start` names localhost, gateway/cli/demo-config.ts).
 *
 * Three levels, each key inherited from the level above unless set: the top level (every
 * door), `doors.<graphql|bff|rest>`, `routes.<name>` (a BFF client or a REST route), and
 * within one, each policy. `policies` itself is replaced, never merged.
 */

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** RFC 9110 token; `*` is refused: it does not cover `Authorization`, and is invalid with credentials. */
const headerName = z
  .string()
  .regex(/^[!#$%&'+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name (a `*` wildcard is not accepted: list the names)')
  .max(128);

/** `scheme://host[:port]`, as browsers send `Origin`: no path, no trailing slash, no wildcard. */
const origin = z
  .string()
  .max(512)
  .regex(/^[a-z][a-z0-9+.-]*:\/\/[^\s/?#*]+$/i, 'an origin like https://app.example.com (scheme://host[:port], no path or trailing slash; patterns go in matchOrigins, any origin is allowAnyOrigin)');

/** A JavaScript regular expression the whole origin must match (it is anchored for you). */
const originPattern = z
  .string()
  .min(1)
  .max(512)
  .refine(compiles, 'a JavaScript regular expression that compiles');

const maxAgeSeconds = z.number().int().min(0).max(86_400);

/** The keys every level may set; unset inherits the level above. */
const inheritedShape = {
  /**
   * Send `Access-Control-Allow-Credentials: true`, so the browser sends cookies (and HTTP
   * auth) and lets the page read the answer. Never with `allowAnyOrigin` (browsers refuse
   * `*` with credentials; start-up refuses the combination).
   */
  allowCredentials: z.boolean().optional(),
  /**
   * Request headers a page may send (`Access-Control-Allow-Headers` of a preflight). Empty:
   * the names the preflight asks for are echoed back, as Apollo Router does; the origin is
   * already trusted by then. A list must include `content-type` on GraphQL doors: a JSON POST
   * is preflighted for it (which is also what Apollo Server's CSRF prevention relies on).
   */
  allowHeaders: z.array(headerName).max(64).optional(),
  /** Response headers a page may read beyond the CORS-safelisted ones (`Access-Control-Expose-Headers`). */
  exposeHeaders: z.array(headerName).max(64).optional(),
  /** `Access-Control-Allow-Methods` of a preflight. Unset at every level: the door's own methods (a GraphQL door's GET/POST, a REST route's `methods`). */
  methods: z.array(z.enum(METHODS)).min(1).optional(),
  /** How long a browser may reuse a preflight's answer (`Access-Control-Max-Age`, seconds; Chrome caps it at 7200). */
  maxAgeSeconds: maxAgeSeconds.optional(),
};

/** One set of origins and how they are answered. */
export const corsPolicySchema = z
  .strictObject({
    /** Exact origins. Compared case-insensitively. Default none. */
    origins: z.array(origin).max(256).default([]),
    /**
     * Regular expressions matched against the whole origin, case-insensitively, e.g.
     * `https://([a-z0-9-]+\.)?example\.com` (anchored for you: a pattern cannot be satisfied
     * by `https://example.com.attacker.net`). Default none.
     */
    matchOrigins: z.array(originPattern).max(64).default([]),
    ...inheritedShape,
  })
  .refine((p) => p.origins.length > 0 || p.matchOrigins.length > 0, 'a policy needs origins or matchOrigins');

/** The CORS of one door or route: replaces the keys it sets, inherits the rest. */
export const corsSetSchema = z.strictObject({
  /**
   * Answer every origin with `Access-Control-Allow-Origin: *` (a public API for any web
   * page; no credentials). `policies` is then not consulted. Also the only way to allow
   * `Origin: null` (sandboxed frames, `file:` pages).
   */
  allowAnyOrigin: z.boolean().optional(),
  /** First match wins. Replaces the level above's list. */
  policies: z.array(corsPolicySchema).max(64).optional(),
  ...inheritedShape,
});

/** A name of `routes` as the rest of config spells it (gateway/config/references.ts checks it is one). */
const routeName = z.string().regex(/^[\x21-\x7e]{1,128}$/, 'a route name');

export const corsConfigSchema = z
  .strictObject({
    /** Answer every origin with `Access-Control-Allow-Origin: *` on every door without its own setting (see `doors`). Default false. */
    allowAnyOrigin: z.boolean().default(false),
    /** The policies of every door without its own. Default none: no origin is allowed. */
    policies: z.array(corsPolicySchema).max(64).default([]),
    /** `Access-Control-Allow-Credentials: true` (cookies, HTTP auth); never with `allowAnyOrigin`. Default false. */
    allowCredentials: z.boolean().default(false),
    /**
     * Request headers a page may send. Default empty: echo the names the preflight asks
     * for, as Apollo Router does (the origin is trusted by then); a list must include
     * `content-type` for a GraphQL door's JSON POST.
     */
    allowHeaders: z.array(headerName).max(64).default([]),
    /**
     * Default the gateway's own headers a web client acts on: `x-request-id` (to report a
     * failure), `retry-after` and the draft-11 `ratelimit` / `ratelimit-policy` fields (to
     * back off). Without this a page cannot read them.
     */
    exposeHeaders: z.array(headerName).max(64).default(['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy']),
    /** `Access-Control-Allow-Methods`. Default: each door's own (a GraphQL door's GET and POST, a REST route's `methods`). */
    methods: z.array(z.enum(METHODS)).min(1).optional(),
    /**
     * `Access-Control-Max-Age` of a preflight, seconds. Default 600 s: a page pays one preflight per door and request shape every ten
     * minutes, and a tightened policy reaches open pages as soon.
     */
    maxAgeSeconds: maxAgeSeconds.default(600),
    /** Per door, over the top level. Default none. */
    doors: z
      .strictObject({
        graphql: corsSetSchema.optional(),
        bff: corsSetSchema.optional(),
        rest: corsSetSchema.optional(),
      })
      .prefault({}),
    /** Per route, by name (a BFF client, a REST route's `name`, `graphql`); wins over `doors`. Default none. */
    routes: z.record(routeName, corsSetSchema).default({}),
    /**
     * REST routes whose upstream does CORS itself: preflights are forwarded like any
     * `OPTIONS`, and the upstream's `Access-Control-*` headers reach the client. On every
     * other door the gateway owns CORS and drops an upstream's. Default none.
     */
    upstreamRoutes: z.array(routeName).default([]),
  });

export type CorsConfig = z.output<typeof corsConfigSchema>;
export type CorsSetConfig = z.output<typeof corsSetSchema>;
export type CorsPolicyConfig = z.output<typeof corsPolicySchema>;

/** A set with every inherited key filled in from `top` (the top-level `cors`). */
export interface ResolvedCorsSet {
  readonly allowAnyOrigin: boolean;
  readonly policies: readonly CorsPolicyConfig[];
  readonly allowCredentials: boolean;
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly methods: readonly string[] | undefined;
  readonly maxAgeSeconds: number;
}

/** The layers over `top`, later ones winning key by key (`policies` is replaced whole). */
export function resolveCorsSet(top: CorsConfig, ...layers: ReadonlyArray<CorsSetConfig | undefined>): ResolvedCorsSet {
  const pick = <K extends keyof CorsSetConfig>(key: K): CorsSetConfig[K] | undefined => {
    let value: CorsSetConfig[K] | undefined;
    for (const layer of layers) if (layer?.[key] !== undefined) value = layer[key];
    return value;
  };
  return {
    allowAnyOrigin: pick('allowAnyOrigin') ?? top.allowAnyOrigin,
    policies: pick('policies') ?? top.policies,
    allowCredentials: pick('allowCredentials') ?? top.allowCredentials,
    allowHeaders: pick('allowHeaders') ?? top.allowHeaders,
    exposeHeaders: pick('exposeHeaders') ?? top.exposeHeaders,
    methods: pick('methods') ?? top.methods,
    maxAgeSeconds: pick('maxAgeSeconds') ?? top.maxAgeSeconds,
  };
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
