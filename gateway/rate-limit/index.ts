import type { RateLimitConfig } from './config.ts';
import { MemoryRateLimitStore } from './memory-store.ts';
import { RedisRateLimitStore } from './redis-store.ts';
import type { RateLimitLogger, RateLimitStore, StoreErrorSource } from './store.ts';

export { rateLimitConfigSchema, tierNames, type RateLimitConfig, type RateLimitConfigInput, type Tier } from './config.ts';
export type { Decision, DecisionReason, RateLimitLogger, RateLimitStore, RateLimitStoreKind, StoreErrorSource } from './store.ts';
export { MemoryRateLimitStore, type MemoryStoreOptions } from './memory-store.ts';
export { RedisRateLimitStore, type RedisStoreOptions } from './redis-store.ts';
export {
  createRateLimiter,
  rateLimitedError,
  identityOf,
  tierOf,
  type RateLimiter,
  type RateLimiterHooks,
  type RateLimitRequest,
  type RateLimitResult,
  type RateLimitDecisionEvent,
  type RateLimitedDoor,
} from './limiter.ts';
export { rateLimitHeaders, quotaPolicy, joinListField, RATE_LIMIT_LIST_FIELDS, type QuotaPolicy } from './headers.ts';
export { compileTrustedProxies, resolveClientIp, normalizeIp, type TrustedProxies } from './client-ip.ts';
export {
  createFieldRateLimiter,
  rateLimitField,
  applyRateLimitDirective,
  rateLimitDirectiveTypeDefs,
  type FieldRateLimit,
  type FieldRateLimiter,
  type FieldCaller,
} from './field-limits.ts';

export interface RateLimitStoreDeps {
  /** `redis.url` from config: set → Redis, unset → memory. */
  redisUrl?: string | undefined;
  logger?: RateLimitLogger;
  /** Every decision Redis could not make and every failed connection attempt (a metric). */
  onStoreError?: (error: Error, source: StoreErrorSource) => void;
}

/** The store the config asks for: Redis when a URL is configured, the bounded memory store otherwise. */
export function createRateLimitStore(config: RateLimitConfig, deps: RateLimitStoreDeps = {}): RateLimitStore {
  if (!deps.redisUrl) return new MemoryRateLimitStore({ maxKeys: config.memory.maxKeys });
  return new RedisRateLimitStore({
    url: deps.redisUrl,
    timeoutMs: config.redis.timeoutMs,
    failMode: config.redis.failMode,
    keyPrefix: config.redis.keyPrefix,
    maxReconnectDelayMs: config.redis.maxReconnectDelayMs,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.onStoreError ? { onStoreError: deps.onStoreError } : {}),
  });
}
