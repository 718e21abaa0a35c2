import type { Principal } from '../context/principal.ts';
import type { Door } from '../context/request-context.ts';
import { RateLimitedError } from '../errors/gateway-error.ts';
import { ipIdentity } from './client-ip.ts';
import { tierNames, type LimitOverrideConfig, type RateLimitConfig, type Tier } from './config.ts';
import { quotaPolicy, rateLimitHeaders, type QuotaPolicy } from './headers.ts';
import type { Decision, DecisionReason, RateLimitStore } from './store.ts';

/** The doors that are rate limited (`ops` — health, metrics — never is). */
export type RateLimitedDoor = Exclude<Door, 'ops'>;

export interface RateLimitRequest {
  readonly principal: Principal;
  /** Resolved with `resolveClientIp` (trusted proxies applied); keys anonymous callers. */
  readonly clientIp: string;
  readonly door: RateLimitedDoor;
  /** A route with its own bucket when `rateLimit.routes` names it (REST route, BFF client…). */
  readonly route?: string;
  /**
   * Draw from the `expensive` bucket instead of the request bucket: the second check a
   * GraphQL door makes once it knows the operation's cost is above
   * `expensive.costThreshold` (the request bucket was drawn at the edge, before parsing).
   */
  readonly expensive?: boolean;
}

export interface RateLimitResult {
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  readonly tier: Tier;
  /** The bucket that decided: `global`, `door:<door>`, `route:<name>`, `expensive`; `disabled` when off. */
  readonly scope: string;
  /** Who was counted: `u:<sub>`, `c:<consumer>` or `ip:<ip>`. */
  readonly identity: string;
  readonly decision: Decision;
  /** Ready to send: `RateLimit-Policy` and `RateLimit` on every response, `Retry-After` when denied (headers.ts). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface RateLimitDecisionEvent {
  readonly tier: Tier;
  readonly allowed: boolean;
  readonly door: RateLimitedDoor;
  readonly scope: string;
  readonly reason: DecisionReason;
}

export interface RateLimiterHooks {
  /** After every decision (metrics). Store errors are reported by the store's own `onStoreError`. */
  onDecision?(event: RateLimitDecisionEvent): void;
}

export interface RateLimiter {
  readonly enabled: boolean;
  readonly storeKind: RateLimitStore['kind'];
  check(request: RateLimitRequest): Promise<RateLimitResult>;
}

interface Bucket {
  readonly scope: string;
  readonly limit: number;
  readonly windowMs: number;
  /** This bucket as the `RateLimit-Policy` names it (the scope), serialized once. */
  readonly policy: QuotaPolicy;
}

type BucketsByTier = Readonly<Record<Tier, Bucket>>;

const DISABLED: Decision = Object.freeze({
  allowed: true,
  reason: 'within-limit',
  limit: 0,
  remaining: 0,
  resetMs: 0,
  retryAfterMs: 0,
});

/**
 * Builds the limiter once from validated config: every (bucket, tier) pair is resolved
 * here, so `check` only picks a precomputed bucket and makes one store call (two for
 * the expensive bucket: a second, separate check).
 */
export function createRateLimiter(config: RateLimitConfig, store: RateLimitStore, hooks: RateLimiterHooks = {}): RateLimiter {
  const shared = bucketsFor('global', config, undefined);
  const doors = new Map<RateLimitedDoor, BucketsByTier>();
  for (const door of ['graphql', 'bff', 'rest'] as const) {
    const override = config.doors[door];
    if (override) doors.set(door, bucketsFor(`door:${door}`, config, override));
  }
  const routes = new Map<string, BucketsByTier>(
    Object.entries(config.routes).map(([name, override]) => [name, bucketsFor(`route:${name}`, config, override)]),
  );
  const expensive = bucketsFor('expensive', config, config.expensive);
  const headerOptions = Object.freeze({ legacy: config.legacyHeaders });

  const report = (event: RateLimitDecisionEvent): void => {
    try {
      hooks.onDecision?.(event);
    } catch {
      // a metrics hook must never fail a request
    }
  };

  return {
    enabled: config.enabled,
    storeKind: store.kind,
    async check(request) {
      const tier = tierOf(request.principal, config.fallbackTier);
      const identity = identityOf(request, config.ipv6PrefixLength);
      if (!config.enabled) {
        return { allowed: true, reason: 'within-limit', tier, scope: 'disabled', identity, decision: DISABLED, headers: {} };
      }
      const main = ((request.route !== undefined && routes.get(request.route)) || doors.get(request.door) || shared)[tier];
      const bucket = request.expensive ? expensive[tier] : main;
      const decision = await store.consume(`${bucket.scope}:${identity}`, bucket.limit, bucket.windowMs);
      const allowed = decision.allowed;
      report({ tier, allowed, door: request.door, scope: bucket.scope, reason: decision.reason });
      return {
        allowed,
        reason: decision.reason,
        tier,
        scope: bucket.scope,
        identity,
        decision,
        headers: rateLimitHeaders(decision, bucket.policy, headerOptions),
      };
    },
  };
}

/** The error a door throws for a denied result (429 + the result's headers). */
export function rateLimitedError(result: RateLimitResult): RateLimitedError {
  return new RateLimitedError({
    retryAfterSeconds: Math.ceil(result.decision.retryAfterMs / 1000),
    headers: { ...result.headers },
    reason: result.reason === 'store-unavailable' ? 'store-unavailable' : 'limit-exceeded',
    scope: result.scope,
  });
}

/** The key a caller is counted under: the verified identity, else the network address. */
export function identityOf(request: Pick<RateLimitRequest, 'principal' | 'clientIp'>, ipv6PrefixLength: number): string {
  const p = request.principal;
  switch (p.kind) {
    case 'user':
      return `u:${p.subject}`;
    case 'consumer':
      return `c:${p.consumer}`;
    case 'anonymous':
      return `ip:${ipIdentity(request.clientIp, ipv6PrefixLength)}`;
    default:
      return unreachable(p);
  }
}

export function tierOf(principal: Principal, fallback: Tier): Tier {
  if (principal.kind === 'anonymous') return 'anonymous';
  return (tierNames as readonly string[]).includes(principal.tier) ? (principal.tier as Tier) : fallback;
}

function bucketsFor(scope: string, config: RateLimitConfig, override: LimitOverrideConfig | undefined): BucketsByTier {
  const entries = tierNames.map((tier): [Tier, Bucket] => {
    const own = override ? (override.tiers[tier] ?? override) : config.tiers[tier];
    const windowMs = own.windowMs ?? override?.windowMs ?? config.windowMs;
    return [tier, Object.freeze({ scope, limit: own.limit, windowMs, policy: quotaPolicy(scope, own.limit, windowMs) })];
  });
  return Object.freeze(Object.fromEntries(entries) as Record<Tier, Bucket>);
}

function unreachable(value: never): never {
  throw new Error(`unexpected principal ${JSON.stringify(value)}`);
}
