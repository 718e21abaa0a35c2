import { z } from 'zod';
import { CONTEXT_SOURCES, HEADER_VALUE, type ContextSource } from './context-values.ts';
import { protectedKind, protectedReason } from './protected-headers.ts';

/**
 * `headers` config: which of the client's headers reach which upstream, and what the
 * gateway adds, as Apollo Router's `headers` (and Cosmo's header rules) declare it. Rules
 * for `all` upstreams run first, then the upstream's own (`upstreams.<subgraph or route>`),
 * each in the order written; a later rule overrides an earlier one's effect. They run once
 * per upstream call inside its pipeline (header-rules.ts), so every door gets them: the
 * `/graphql` subgraph fetches, the BFFs' supergraph and REST calls, the passthrough.
 *
 * Identity (`x-user-*`, `x-consumer*`, `x-gateway-*`, `x-request-id`), credentials, trace
 * context and the call's framing headers are out of reach: a rule naming one is refused
 * here, naming the key (protected-headers.ts says why for each).
 */

/** RFC 9110 §5.6.2 token: what a header name may be. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const headerName = z.string().max(256).regex(TOKEN, 'a header name (letters, digits and !#$%&\'*+.^_`|~-)');

/** A header a rule reads or writes: any name but the protected ones. */
const ruleHeaderName = headerName.superRefine((name, ctx) => {
  const kind = protectedKind(name.toLowerCase());
  if (kind) ctx.addIssue({ code: 'custom', message: `"${name}" ${protectedReason(kind)}` });
});

const headerValue = z.string().max(8192).regex(HEADER_VALUE, 'a header value (no line breaks or control characters)');

/** A regular expression over header names, compiled case-insensitively when the config loads. */
const namePattern = z
  .string()
  .min(1)
  .max(512)
  .superRefine((source, ctx) => {
    try {
      new RegExp(source, 'i');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}` });
    }
  });

const propagateSchema = z.strictObject({
  /** The client's header to send on (case-insensitive). One of `named` or `matching`. */
  named: ruleHeaderName.optional(),
  /** Send the `named` header under this name instead. Default: its own name. */
  rename: ruleHeaderName.optional(),
  /** Value sent when the client sent no `named` header. Default: none, nothing is sent. */
  default: headerValue.optional(),
  /**
   * Every client header whose name matches this regular expression (case-insensitive),
   * under its own name; protected headers never match. One of `named` or `matching`.
   */
  matching: namePattern.optional(),
});

const insertSchema = z.strictObject({
  /** The header to set on the upstream request (replacing any value earlier rules or the door gave it). */
  name: ruleHeaderName,
  /** A static value. One of `value`, `fromContext` or `fromClaim`. */
  value: headerValue.optional(),
  /**
   * A value from the verified identity or the request's context: subject, consumer, tier,
   * scopes, roles, issuer, apiKeyId, clientName, requestId, door, route, clientIp. When it
   * has none (an anonymous caller's subject), `default`, else the header is removed: an
   * inserted header is the gateway's value or absent, never the client's copy.
   */
  fromContext: z.enum(CONTEXT_SOURCES).optional(),
  /**
   * A claim of the user's verified token (a string, number or boolean; top-level claim
   * name). When the token has none, `default`, else the header is removed.
   */
  fromClaim: z.string().min(1).max(256).optional(),
  /** Value for `fromContext` / `fromClaim` when the request has none. Default: remove the header. */
  default: headerValue.optional(),
});

const removeSchema = z.strictObject({
  /** The header not to send (case-insensitive). One of `named` or `matching`. */
  named: ruleHeaderName.optional(),
  /** Every header whose name matches this regular expression (case-insensitive); protected headers never match. */
  matching: namePattern.optional(),
});

/** One rule, validated into the form the compiler switches on. */
export type HeaderRule =
  | { readonly kind: 'propagate'; readonly named: string; readonly rename: string | undefined; readonly default: string | undefined }
  | { readonly kind: 'propagateMatching'; readonly matching: string }
  | { readonly kind: 'insert'; readonly name: string; readonly value: string }
  | { readonly kind: 'insertFromContext'; readonly name: string; readonly fromContext: ContextSource; readonly default: string | undefined }
  | { readonly kind: 'insertFromClaim'; readonly name: string; readonly fromClaim: string; readonly default: string | undefined }
  | { readonly kind: 'remove'; readonly named: string }
  | { readonly kind: 'removeMatching'; readonly matching: string };

type Issues = z.core.$RefinementCtx;

/** Exactly one of `keys` is set on `value`, or an issue at `path` says which may be. */
function exactlyOne(value: Readonly<Record<string, unknown>>, keys: readonly string[], ctx: Issues, path: readonly string[] = []): string | undefined {
  const set = keys.filter((k) => value[k] !== undefined);
  if (set.length === 1) return set[0];
  const list = keys.map((k) => `\`${k}\``).join(', ');
  ctx.addIssue({ code: 'custom', path: [...path], message: set.length === 0 ? `needs one of ${list}` : `takes only one of ${list} (has ${set.join(' and ')})` });
  return undefined;
}

function onlyWith(value: Readonly<Record<string, unknown>>, key: string, allowedWith: readonly string[], ctx: Issues, path: readonly string[]): void {
  if (value[key] !== undefined && !allowedWith.some((k) => value[k] !== undefined)) {
    ctx.addIssue({ code: 'custom', path: [...path, key], message: `only applies with ${allowedWith.map((k) => `\`${k}\``).join(' or ')}` });
  }
}

/**
 * A rule is `{ propagate: … }`, `{ insert: … }` or `{ remove: … }`. Kept as plain objects
 * checked here (not a zod union) so a mistake is reported at its key, with what is wrong,
 * rather than as "invalid input" for the whole rule.
 */
const ruleSchema = z
  .strictObject({
    /** Send a client header on: `{ named, rename?, default? }` or `{ matching }`. */
    propagate: propagateSchema.optional(),
    /** Add a header: `{ name, value }`, `{ name, fromContext, default? }` or `{ name, fromClaim, default? }`. */
    insert: insertSchema.optional(),
    /** Do not send a header (the door's, or one an earlier rule added): `{ named }` or `{ matching }`. */
    remove: removeSchema.optional(),
  })
  .transform((rule, ctx): HeaderRule => {
    const action = exactlyOne(rule, ['propagate', 'insert', 'remove'], ctx);
    if (action === 'propagate' && rule.propagate) {
      const p = rule.propagate;
      const from = exactlyOne(p, ['named', 'matching'], ctx, ['propagate']);
      onlyWith(p, 'rename', ['named'], ctx, ['propagate']);
      onlyWith(p, 'default', ['named'], ctx, ['propagate']);
      if (from === 'named' && p.named !== undefined) return { kind: 'propagate', named: p.named.toLowerCase(), rename: p.rename?.toLowerCase(), default: p.default };
      if (from === 'matching' && p.matching !== undefined) return { kind: 'propagateMatching', matching: p.matching };
    }
    if (action === 'insert' && rule.insert) {
      const i = rule.insert;
      const source = exactlyOne(i, ['value', 'fromContext', 'fromClaim'], ctx, ['insert']);
      onlyWith(i, 'default', ['fromContext', 'fromClaim'], ctx, ['insert']);
      const name = i.name.toLowerCase();
      if (source === 'value' && i.value !== undefined) return { kind: 'insert', name, value: i.value };
      if (source === 'fromContext' && i.fromContext !== undefined) return { kind: 'insertFromContext', name, fromContext: i.fromContext, default: i.default };
      if (source === 'fromClaim' && i.fromClaim !== undefined) return { kind: 'insertFromClaim', name, fromClaim: i.fromClaim, default: i.default };
    }
    if (action === 'remove' && rule.remove) {
      const r = rule.remove;
      const which = exactlyOne(r, ['named', 'matching'], ctx, ['remove']);
      if (which === 'named' && r.named !== undefined) return { kind: 'remove', named: r.named.toLowerCase() };
      if (which === 'matching' && r.matching !== undefined) return { kind: 'removeMatching', matching: r.matching };
    }
    return z.NEVER;
  });

const ruleListSchema = z.strictObject({
  /** Rules applied to the request sent to the upstream, in order. Default none. */
  request: z.array(ruleSchema).max(100).default([]),
});

export const headersConfigSchema = z.strictObject({
  /** Rules for every upstream (subgraphs, REST routes, the BFFs' HTTP supergraph client); they run before an upstream's own. */
  all: ruleListSchema.prefault({}),
  /** Rules for one upstream, by subgraph or route name (as `upstreams.<name>`), run after `all`. Default none. */
  upstreams: z.record(z.string(), ruleListSchema).default({}),
});

export type HeadersConfig = z.output<typeof headersConfigSchema>;
