import { createHash } from 'node:crypto';
import {
  defaultFieldResolver,
  getDirectiveValues,
  GraphQLError,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import type { Principal } from '../context/principal.ts';
import { RateLimitedError } from '../errors/gateway-error.ts';
import { toGraphQLError } from '../errors/render.ts';
import { identityOf } from './limiter.ts';
import type { Decision, DecisionReason, RateLimitStore } from './store.ts';
import { getGraphQLRateLimiter, type Store as GrlStore } from 'graphql-rate-limit';

/**
 * Field-level limits for BFF schemas: "at most `max` calls of this field per `window`, per
 * caller", in graphql-rate-limit's vocabulary (`max`, `window`, `identityArgs`,
 * `arrayLengthField`, `message`), so SDL written for it keeps its meaning — exactly: no
 * interval of `window` ever holds more than `max` admitted calls (a sliding window, the
 * store's `consumeWindow`), across every gateway instance sharing the store. A refused
 * call is not counted (graphql-rate-limit's `uncountRejected: true`), so a caller who keeps
 * trying is back as soon as their oldest call leaves the window. (Not the inbound limits'
 * GCRA bucket: a bucket of `max` refilled at `max / window` admits up to 2 × `max` − 1 in
 * one window.)
 *
 * graphql-rate-limit's limiter (`getGraphQLRateLimiter`) keys each call (field identity
 * with `identityArgs`) and words the refusal, but does not keep the log: its stores'
 * contract is "get the timestamp list, filter it, set it back" — two round trips with a
 * read-modify-write race (with its own RedisStore, 30 concurrent calls against `max: 10`
 * all got through). Our adapter turns the "get" into one atomic `consumeWindow` on our
 * RateLimitStore (Redis or memory) and the "set" into nothing; the store's decision is the
 * one enforced. Its directive class rests on @graphql-tools/utils 7's
 * `SchemaDirectiveVisitor` (graphql ^14 || ^15 only), so the directive is applied here
 * with graphql 16's API.
 */

export interface FieldRateLimit {
  /** Calls admitted per window, per caller. */
  max: number;
  /** Window: ms, or a duration such as `"500ms"`, `"10s"`, `"1m"`, `"2 hours"`, `"1d"`. */
  window: number | string;
  /** Argument paths (dots for nesting) whose values are part of the key: limits per argument value. */
  identityArgs?: readonly string[];
  /** A list argument whose length is the call's cost instead of 1 (a batch of N counts N). */
  arrayLengthField?: string;
  /** Message of the error instead of the default. */
  message?: string;
}

/** Who is calling, as the request edge established it. */
export interface FieldCaller {
  readonly principal: Principal;
  readonly clientIp: string;
}

export interface FieldRateLimiterOptions<TContext> {
  store: RateLimitStore;
  /** The caller from the resolver context. Default: `context.request` (the gateway's GraphQLContext). */
  identify?: (context: TContext) => FieldCaller;
  /** As `rateLimit.ipv6PrefixLength`. Default 64. */
  ipv6PrefixLength?: number;
  onDecision?(event: { field: string; allowed: boolean; reason: DecisionReason }): void;
}

export interface FieldRateLimiter<TContext> {
  /** Counts one call (or the list's length) in the caller's window for this field; throws RATE_LIMITED when it is full. */
  enforce(limit: CompiledFieldLimit, args: Record<string, unknown>, context: TContext, info: GraphQLResolveInfo): Promise<void>;
}

/** A `FieldRateLimit` validated once, when the resolver is wrapped. */
export interface CompiledFieldLimit {
  readonly max: number;
  readonly windowMs: number;
  readonly identityArgs: readonly string[];
  readonly arrayLengthField: string | undefined;
  readonly message: string | undefined;
}

/** SDL to add to a BFF schema that uses the directive. */
export { rateLimitDirectiveTypeDefs } from './directive-typedefs.ts';

export function createFieldRateLimiter<TContext = unknown>(options: FieldRateLimiterOptions<TContext>): FieldRateLimiter<TContext> {
  const identify = options.identify ?? defaultIdentify;
  const ipv6PrefixLength = options.ipv6PrefixLength ?? 64;
  return {
    async enforce(limit, args, context, info) {
      const field = `${info.parentType.name}.${info.fieldName}`;
      const identity = identityOf(identify(context), ipv6PrefixLength);
      const cost = costOf(limit, args);
      let decision: Decision | undefined;
      // graphql-rate-limit decides from "which calls are on record for this caller and
      // field". This store answers with one atomic consumeWindow on our store, so the
      // decision is exact across instances: nothing on record when admitted, a full window
      // otherwise (times that never expire, so its own filter cannot disagree); its own
      // read-filter-write is left with nothing to write (see the file comment).
      const store: GrlStore = {
        getForIdentity: async ({ contextIdentity, fieldIdentity }) => {
          // Not the `field:` keys of the GCRA era: during a rolling deploy old instances still
          // write buckets there, and a window on a bucket's Redis key would be a type error.
          const key = `field-window:${info.parentType.name}.${compactKey(fieldIdentity)}:${contextIdentity}`;
          decision = await options.store.consumeWindow(key, limit.max, limit.windowMs, cost);
          return decision.allowed ? [] : new Array<number>(limit.max + 1).fill(Number.POSITIVE_INFINITY);
        },
        setForIdentity: () => undefined,
      };
      const check = getGraphQLRateLimiter({ identifyContext: () => identity, store });
      const refusal = await check(
        { parent: undefined, args, context, info },
        {
          max: limit.max,
          window: String(limit.windowMs),
          identityArgs: [...limit.identityArgs],
          ...(limit.arrayLengthField === undefined ? {} : { arrayLengthField: limit.arrayLengthField }),
          ...(limit.message === undefined ? {} : { message: limit.message }),
        },
      );
      if (!decision) throw new Error(`field rate limit for ${field}: graphql-rate-limit did not consult the store`);
      try {
        options.onDecision?.({ field, allowed: decision.allowed, reason: decision.reason });
      } catch {
        // a metrics hook must never fail a field
      }
      // The store's decision is the one enforced (the cost it counted is ours: see costOf).
      if (decision.allowed) return;
      const error = new RateLimitedError({
        retryAfterSeconds: decision.retryAfterMs / 1000,
        reason: decision.reason === 'store-unavailable' ? 'store-unavailable' : 'limit-exceeded',
        scope: `field:${field}`,
      });
      // Field scope: no HTTP status, the rest of the response still succeeds. No path
      // either: graphql-js locates the error (path, locations) as it leaves the resolver.
      const rendered = toGraphQLError(error, 'field');
      throw limit.message === undefined ? rendered : new GraphQLError(refusal ?? limit.message, { extensions: rendered.extensions });
    },
  };
}

/** Wraps one resolver: the limit is taken before the resolver runs, and a denied call never reaches it. */
export function rateLimitField<TSource, TContext, TArgs extends Record<string, unknown>, TResult>(
  resolver: GraphQLFieldResolver<TSource, TContext, TArgs, TResult> | undefined,
  limit: FieldRateLimit,
  limiter: FieldRateLimiter<TContext>,
): GraphQLFieldResolver<TSource, TContext, TArgs, Promise<Awaited<TResult>>> {
  return wrap(resolver, compileFieldLimit(limit, 'rateLimitField'), limiter);
}

function wrap<TSource, TContext, TArgs extends Record<string, unknown>, TResult>(
  resolver: GraphQLFieldResolver<TSource, TContext, TArgs, TResult> | undefined,
  compiled: CompiledFieldLimit,
  limiter: FieldRateLimiter<TContext>,
): GraphQLFieldResolver<TSource, TContext, TArgs, Promise<Awaited<TResult>>> {
  const inner = resolver ?? (defaultFieldResolver as GraphQLFieldResolver<TSource, TContext, TArgs, TResult>);
  return async (source, args, context, info): Promise<Awaited<TResult>> => {
    await limiter.enforce(compiled, args, context, info);
    return await inner(source, args, context, info);
  };
}

/**
 * Applies `@rateLimit` to every object field of `schema` that carries it, by wrapping the
 * field's resolver in place (so run it after resolvers are attached, before the schema is
 * served). Returns the same schema. A bad `max`/`window` fails here, at start-up.
 */
export function applyRateLimitDirective<TContext>(
  schema: GraphQLSchema,
  limiter: FieldRateLimiter<TContext>,
  directiveName = 'rateLimit',
): GraphQLSchema {
  const directive = schema.getDirective(directiveName);
  if (!directive) throw new Error(`schema has no @${directiveName} directive; add rateLimitDirectiveTypeDefs to its SDL`);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.astNode) continue;
      const values = getDirectiveValues(directive, field.astNode);
      if (!values) continue;
      const where = `@${directiveName} on ${type.name}.${field.name}`;
      field.resolve = wrap(field.resolve, compileFieldLimit(directiveArgs(values), where), limiter);
    }
  }
  return schema;
}

export function compileFieldLimit(limit: FieldRateLimit, where: string): CompiledFieldLimit {
  if (!Number.isInteger(limit.max) || limit.max < 1) throw new Error(`${where}: max must be a positive integer, got ${limit.max}`);
  const windowMs = typeof limit.window === 'number' ? limit.window : parseDuration(limit.window);
  if (windowMs === undefined || !Number.isInteger(windowMs) || windowMs < 1) {
    throw new Error(`${where}: window must be a positive number of ms or a duration like "10s", got ${JSON.stringify(limit.window)}`);
  }
  return Object.freeze({
    max: limit.max,
    windowMs,
    identityArgs: Object.freeze([...(limit.identityArgs ?? [])]),
    arrayLengthField: limit.arrayLengthField,
    message: limit.message,
  });
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, msec: 1, msecs: 1, millisecond: 1, milliseconds: 1,
  s: 1_000, sec: 1_000, secs: 1_000, second: 1_000, seconds: 1_000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** `"10s"`, `"1.5 m"`, `"250"` (ms) → ms; what graphql-rate-limit's `window` accepted, minus weeks and years. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = UNIT_MS[(match[2] || 'ms').toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}

/** The directive's values, as graphql coerced them against its declaration. */
function directiveArgs(values: Record<string, unknown>): FieldRateLimit {
  return {
    max: values.max as number,
    window: values.window as string,
    identityArgs: values.identityArgs as string[] | undefined,
    arrayLengthField: values.arrayLengthField as string | undefined,
    message: values.message as string | undefined,
  };
}

function defaultIdentify(context: unknown): FieldCaller {
  const request = (context as { request?: Partial<FieldCaller> } | null | undefined)?.request;
  if (!request?.principal || typeof request.clientIp !== 'string') {
    throw new Error('field rate limit: the context has no request.principal/clientIp; pass `identify` to createFieldRateLimiter');
  }
  return { principal: request.principal, clientIp: request.clientIp };
}

/** graphql-rate-limit's field identity (`field:argValues`), hashed when long so keys stay small. */
function compactKey(fieldIdentity: string): string {
  return fieldIdentity.length > 64 ? createHash('sha256').update(fieldIdentity).digest('base64url') : fieldIdentity;
}

function costOf(limit: CompiledFieldLimit, args: Record<string, unknown>): number {
  if (limit.arrayLengthField === undefined) return 1;
  const list = valueAt(args, limit.arrayLengthField);
  return Array.isArray(list) && list.length > 0 ? list.length : 1;
}

function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
