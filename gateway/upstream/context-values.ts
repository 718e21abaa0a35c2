import type { RequestContext } from '../context/request-context.ts';

/**
 * What an `insert` header rule may take its value from (`fromContext`): the verified
 * principal and the request's context, never the client's word (except `clientName`, which
 * is the client's own label of itself). Apollo Router's `from_context` reads its request
 * context the same way.
 */
export const CONTEXT_SOURCES = [
  /** The user's subject (the token's `sub`); absent for API-key consumers and anonymous callers. */
  'subject',
  /** The API-key consumer's name; absent for users. */
  'consumer',
  /** The caller's tier (users and consumers). */
  'tier',
  /** Scopes, space-separated. */
  'scopes',
  /** Roles, space-separated. */
  'roles',
  /** The user's token issuer (`iss`). */
  'issuer',
  /** The configured id of the API key used (never the key). */
  'apiKeyId',
  /** The BFF client, or the `apollographql-client-name` the client sent. */
  'clientName',
  /** The request id (`x-request-id`, accepted or generated). */
  'requestId',
  /** The door: graphql, bff or rest. */
  'door',
  /** The REST route or BFF client the request was routed to. */
  'route',
  /** The caller's address, trusted proxies applied. */
  'clientIp',
] as const;

export type ContextSource = (typeof CONTEXT_SOURCES)[number];

export type ContextReader = (ctx: RequestContext) => string | undefined;

/**
 * Sources whose value two requests may share a deduplicated upstream call without: the
 * principal's identity fields and the client name are in the engine's identity key already
 * (gateway/graphql/engine/identity-key.ts), and the request id is correlation, sent as the
 * first caller's just as `x-request-id` is. Every other source is part of the key.
 */
export const IN_IDENTITY_KEY: ReadonlySet<ContextSource> = new Set<ContextSource>(['subject', 'consumer', 'tier', 'scopes', 'roles', 'clientName', 'requestId']);

/** One reader per source, chosen when the rules are compiled. Empty counts as absent. */
export function contextReader(source: ContextSource): ContextReader {
  switch (source) {
    case 'subject':
      return (ctx) => (ctx.principal.kind === 'user' ? headerSafe(ctx.principal.subject) : undefined);
    case 'consumer':
      return (ctx) => (ctx.principal.kind === 'consumer' ? headerSafe(ctx.principal.consumer) : undefined);
    case 'tier':
      return (ctx) => (ctx.principal.kind === 'anonymous' ? undefined : headerSafe(ctx.principal.tier));
    case 'scopes':
      return (ctx) => (ctx.principal.kind === 'anonymous' ? undefined : headerSafe(ctx.principal.scopes.join(' ')));
    case 'roles':
      return (ctx) => (ctx.principal.kind === 'anonymous' ? undefined : headerSafe(ctx.principal.roles.join(' ')));
    case 'issuer':
      return (ctx) => (ctx.principal.kind === 'user' ? headerSafe(ctx.principal.issuer) : undefined);
    case 'apiKeyId':
      return (ctx) => (ctx.principal.kind === 'consumer' ? headerSafe(ctx.principal.apiKeyId) : undefined);
    case 'clientName':
      return (ctx) => headerSafe(ctx.clientName);
    case 'requestId':
      return (ctx) => ctx.requestId;
    case 'door':
      return (ctx) => ctx.door;
    case 'route':
      return (ctx) => headerSafe(ctx.route);
    case 'clientIp':
      return (ctx) => headerSafe(ctx.clientIp);
    default: {
      const unreachable: never = source;
      throw new Error(`unknown context source ${String(unreachable)}`);
    }
  }
}

/**
 * A verified token's claim (`fromClaim`), for users: a string, a finite number or a boolean
 * becomes the value; anything else (an object, a list, a missing claim) is absent.
 */
export function claimReader(claim: string): ContextReader {
  return (ctx) => {
    if (ctx.principal.kind !== 'user' || !ctx.principal.claims || !Object.hasOwn(ctx.principal.claims, claim)) return undefined;
    const value = ctx.principal.claims[claim];
    if (typeof value === 'string') return headerSafe(value);
    if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
    return undefined;
  };
}

/** What an HTTP field value may hold (RFC 9110 §5.5: visible ASCII, obs-text, space, tab). */
export const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Longest value a rule sends from the context: a claim is the IdP's text, and a header is not its place for a document. */
export const MAX_CONTEXT_VALUE_CHARS = 4096;

/**
 * A value an upstream request can carry, or absent: a claim or subject with a line break
 * or a character beyond Latin-1 would make undici refuse the whole call, and the caller
 * should not lose its answer over a header the operator added.
 */
function headerSafe(value: string | undefined): string | undefined {
  if (value === undefined || value === '' || value.length > MAX_CONTEXT_VALUE_CHARS) return undefined;
  return HEADER_VALUE.test(value) ? value : undefined;
}
