import { LRUCache } from 'lru-cache';
import type { RedisRateLimitStore } from '../rate-limit/redis-store.ts';
import type { ClientsConfig } from './config.ts';

/** Where a lookup was answered, for the `graphql_documents_total` outcome. */
export type ApqLookup = { readonly text: string; readonly from: 'memory' | 'redis' } | { readonly text: undefined; readonly storeError: boolean };

/**
 * APQ texts by SHA-256: this instance's memory (bounded LRU with the TTL) in front of Redis
 * when `redis.url` is set (the rate limiter's connection, so one connection and one
 * reconnect policy per instance; the TTL on the key), shared by every instance. A Redis
 * that does not answer within the rate limiter's deadline is skipped: lookups fall back to
 * memory (a miss is PERSISTED_QUERY_NOT_FOUND, and the client's retry with the text stores
 * it here), registrations stay in memory. Nothing here ever fails a request.
 */
export class ApqStore {
  readonly #memory: LRUCache<string, string>;
  readonly #redis: RedisRateLimitStore | undefined;
  readonly #config: ClientsConfig['apq'];

  constructor(config: ClientsConfig['apq'], redis: RedisRateLimitStore | undefined) {
    this.#config = config;
    this.#redis = redis;
    this.#memory = new LRUCache<string, string>({
      max: config.maxEntries,
      maxSize: config.maxBytes,
      sizeCalculation: (text) => Math.max(1, text.length),
      ttl: config.ttlSeconds * 1000,
    });
  }

  get kind(): 'memory' | 'redis' {
    return this.#redis ? 'redis' : 'memory';
  }

  async get(id: string): Promise<ApqLookup> {
    const local = this.#memory.get(id);
    if (local !== undefined) return { text: local, from: 'memory' };
    if (!this.#redis) return { text: undefined, storeError: false };
    const shared = await this.#redis.getText(this.#config.redisKeyPrefix + id);
    if (shared === undefined) return { text: undefined, storeError: true };
    if (shared === null) return { text: undefined, storeError: false };
    this.#memory.set(id, shared);
    return { text: shared, from: 'redis' };
  }

  /** Resolves false when Redis is configured and did not take it (it is in memory either way). */
  async set(id: string, text: string): Promise<boolean> {
    this.#memory.set(id, text);
    if (!this.#redis) return true;
    return this.#redis.setText(this.#config.redisKeyPrefix + id, text, this.#config.ttlSeconds);
  }
}
