import { z } from 'zod';
import { isTrustedProxySpec } from './client-ip.ts';

/**
 * `rateLimit` config. Every limit is "`limit` requests per `windowMs`", enforced per
 * identity (user → `u:<sub>`, API consumer → `c:<consumer>`, anonymous → `ip:<ip>`).
 *
 * Algorithm: GCRA (the generic cell rate algorithm), kept in its token-bucket form: a
 * bucket of `limit` tokens that refills continuously at `limit / windowMs`. Chosen over
 * window counters because
 * - state is O(1) per identity (one Redis key: tokens + timestamp) whatever the limit;
 * - one atomic Lua script per decision makes it exact under concurrency across any
 *   number of gateway instances: 300 simultaneous requests against a limit of 100
 *   admit exactly 100 (a full bucket is a burst of exactly `limit`);
 * - it is smooth: no window edge where a client gets 2× the limit, and a denied client
 *   learns the exact `Retry-After` (time until one token is back) instead of "next window";
 * - denied requests cost nothing, so hammering after a 429 does not extend the penalty.
 * Tokens are stored (not GCRA's theoretical arrival time) so the arithmetic stays on
 * small numbers: a burst is counted in exact integers, whatever the clock's magnitude.
 *
 * (BFF `@rateLimit` field limits are not configured here and are not GCRA: their SDL
 * promises graphql-rate-limit's "at most `max` per `window`", which only an exact sliding
 * window keeps; see field-limits.ts.)
 */

export const tierNames = ['anonymous', 'free', 'standard', 'premium', 'enterprise'] as const;
export type Tier = (typeof tierNames)[number];

const positiveInt = z.number().int().min(1);

/** One limit: `limit` requests per `windowMs`. */
export const limitSchema = z.strictObject({
  /** Requests admitted per window; also the largest burst. */
  limit: positiveInt,
  /** Window length. Absent → `rateLimit.windowMs`. */
  windowMs: positiveInt.optional(),
});

/** A tier's limit, with that tier's default `limit`. */
const tierLimit = (defaultLimit: number) =>
  z
    .strictObject({
      limit: positiveInt.default(defaultLimit),
      /** Absent → `rateLimit.windowMs`. */
      windowMs: positiveInt.optional(),
    })
    .prefault({});

/**
 * A limit with its own bucket (a door, a route, expensive operations): `limit`/`windowMs`
 * for every tier, unless `tiers` names a tier's own.
 */
export const limitOverrideSchema = z.strictObject({
  limit: positiveInt,
  /** Absent → `rateLimit.windowMs`. */
  windowMs: positiveInt.optional(),
  /** Per-tier limits of this bucket; tiers not listed use `limit`/`windowMs`. Default none. */
  tiers: z.partialRecord(z.enum(tierNames), limitSchema).default({}),
});

export const rateLimitConfigSchema = z.strictObject({
  /** Enforce rate limits at all. Default true. */
  enabled: z.boolean().default(true),
  /** The algorithm (see the comment at the top of this file). Only `gcra`. Default `gcra`. */
  algorithm: z.enum(['gcra']).default('gcra'),
  /** Window of every limit that does not set its own `windowMs`. Default 60000 ms. */
  windowMs: positiveInt.default(60_000),
  /**
   * Per-tier limits of the shared bucket every door draws from (unless overridden below).
   * Users and consumers carry a tier; anonymous callers are `anonymous`.
   * Defaults per window: anonymous 1200, free 300, standard 1200, premium 6000, enterprise 30000.
   *
   * `anonymous` is per client address (an IPv6 /64), and an address is often a crowd:
   * mobile carriers put tens of subscribers behind one public IPv4 address (carrier-grade
   * NAT), as do offices and campus Wi-Fi. An app session makes some 10–30 requests a
   * minute, so 1200 (20 a second sustained, a burst of 1200) serves 40+ active sessions
   * behind one address, where the old 60 refused the second phone on a NAT, and the
   * GraphQL-over-HTTP audit (61 requests) from one machine. It still cuts a flood from
   * one address to 20 requests a second; what one request may cost is bounded by
   * `operationLimits` and the `expensive` bucket. A user's tier bucket is per person.
   */
  tiers: z
    .strictObject({
      anonymous: tierLimit(1_200),
      free: tierLimit(300),
      standard: tierLimit(1_200),
      premium: tierLimit(6_000),
      enterprise: tierLimit(30_000),
    })
    .prefault({}),
  /** Tier for a principal whose tier is none of the above (e.g. a typo in a token). Default `free`. */
  fallbackTier: z.enum(tierNames).default('free'),
  /** Doors with their own bucket instead of the shared one. Default none. */
  doors: z
    .strictObject({
      graphql: limitOverrideSchema.optional(),
      bff: limitOverrideSchema.optional(),
      rest: limitOverrideSchema.optional(),
    })
    .prefault({}),
  /**
   * Routes with their own bucket, by name: a REST route's `name`, or any name a door passes
   * as `route` (e.g. a BFF client). Wins over `doors`. Default none.
   */
  routes: z
    .record(z.string().regex(/^[\x20-\x7e]+$/, 'printable ASCII: it names the policy in the RateLimit headers'), limitOverrideSchema)
    .default({}),
  /**
   * A second bucket for expensive requests (a GraphQL operation whose estimated cost is
   * above `costThreshold`): drawn from in addition to the normal one.
   * Default 300 per window for every tier, threshold 1000.
   *
   * Per identity, so for anonymous callers per address, shared like the anonymous bucket
   * (see `tiers`): 300 (5 a second) is a quarter of an address's requests, enough for list
   * screens opened by a NAT's worth of sessions, where 30 allowed one expensive screen a
   * minute per address. Abuse stays bounded: each such request is still held to
   * `operationLimits.maxCost`, and a tier's bucket caps the total.
   */
  expensive: limitOverrideSchema
    .extend({
      /** Estimated operation cost above which a request is expensive. Default 1000. */
      costThreshold: positiveInt.default(1_000),
      limit: positiveInt.default(300),
    })
    .prefault({}),
  redis: z
    .strictObject({
      /**
       * Longest a decision waits on Redis; then the fail mode decides. Default 100 ms.
       * A dead Redis fails at once (no offline queue), so this bounds only a stalled or
       * starved one: what it adds to a request's latency then, against how often a merely
       * busy Redis is mistaken for a dead one (each time, fail-open admits past the limit).
       * An answer that has arrived while the gateway was busy always counts (see
       * `RedisRateLimitStore#deadline`). Measured on a 2-core box with Redis competing for
       * CPU, 300-request bursts on two gateways: 50 ms still failed open in 3 of 20
       * bursts, 100 ms in none.
       */
      timeoutMs: positiveInt.default(100),
      /**
       * When Redis errs or is too slow: `open` admits (and logs, and reports the error),
       * `closed` denies with reason `store-unavailable`. Default `open`.
       */
      failMode: z.enum(['open', 'closed']).default('open'),
      /** Prefix of every rate-limit key. Default `bffgw:rl:`. */
      keyPrefix: z.string().min(1).default('bffgw:rl:'),
      /** Longest pause between reconnection attempts (backoff doubles up to it). Default 2000 ms. */
      maxReconnectDelayMs: positiveInt.default(2_000),
      /** How long start-up waits for Redis before serving with the fail mode. Default 2000 ms. */
      connectTimeoutMs: positiveInt.default(2_000),
    })
    .prefault({}),
  memory: z
    .strictObject({
      /** Most identities the in-memory store tracks; beyond it the least recently used go. Default 100000. */
      maxKeys: positiveInt.default(100_000),
    })
    .prefault({}),
  /**
   * Proxies whose `X-Forwarded-For` is believed: IPs, CIDRs, or `loopback`, `linklocal`,
   * `uniquelocal`. Default none: the socket address is the client.
   */
  trustedProxies: z
    .array(z.string().refine(isTrustedProxySpec, 'an IP, a CIDR, or loopback/linklocal/uniquelocal'))
    .default([]),
  /**
   * Also send the old drafts' `RateLimit-Limit`, `RateLimit-Remaining` and
   * `RateLimit-Reset` beside draft-11's `RateLimit-Policy` and `RateLimit` (headers.ts), for
   * clients that still read them. Off by default: three more fields on every response, for
   * a syntax the IETF draft has dropped. Default false.
   */
  legacyHeaders: z.boolean().default(false),
  /** Anonymous IPv6 callers are limited per network of this prefix length. Default 64. */
  ipv6PrefixLength: z.number().int().min(16).max(128).default(64),
});

export type RateLimitConfig = z.output<typeof rateLimitConfigSchema>;
export type RateLimitConfigInput = z.input<typeof rateLimitConfigSchema>;
export type LimitOverrideConfig = z.output<typeof limitOverrideSchema>;
