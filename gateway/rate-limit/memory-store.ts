import { gcraStep, type BucketState } from './gcra.ts';
import { assertConsumeArgs, type Decision, type RateLimitStore } from './store.ts';

export interface MemoryStoreOptions {
  /** Most buckets kept; when full, the least recently used bucket is dropped. Default 100000. */
  maxKeys?: number;
  /** How often buckets that have refilled completely are swept. Default 30000 ms. */
  sweepIntervalMs?: number;
  /** Monotonic clock in ms (tests inject one). Default `performance.now`. */
  now?: () => number;
}

interface Entry extends BucketState {
  /** When the bucket is full again, so forgetting it changes nothing. */
  readonly fullAt: number;
}

/**
 * Per-process buckets: exact within one process (decisions are synchronous), shared by
 * nobody. Bounded two ways: a bucket is forgotten once it has refilled (a missing bucket
 * is a full one), and at `maxKeys` the least recently used goes first, so a flood of
 * distinct clients costs memory proportional to `maxKeys`, never more. (Dropping a live
 * bucket under such a flood forgives that identity; the bound matters more.)
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly kind = 'memory' as const;
  /** Insertion order is recency order: a touched key is re-inserted at the end. */
  readonly #buckets = new Map<string, Entry>();
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 100_000;
    if (!Number.isInteger(this.#maxKeys) || this.#maxKeys < 1) throw new RangeError('maxKeys must be a positive integer');
    this.#now = options.now ?? (() => performance.now());
    this.#sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000);
    this.#sweeper.unref();
  }

  /** Buckets currently held (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  async consume(key: string, limit: number, windowMs: number, cost = 1): Promise<Decision> {
    return this.consumeSync(key, limit, windowMs, cost);
  }

  consumeSync(key: string, limit: number, windowMs: number, cost = 1): Decision {
    assertConsumeArgs(limit, windowMs, cost);
    const now = this.#now();
    const current = this.#buckets.get(key);
    const live = current !== undefined && current.fullAt > now ? current : undefined;
    const { decision, next } = gcraStep(live, now, limit, windowMs, cost);
    // Re-inserting moves the key to the end: recency order, so eviction drops the least recent.
    this.#buckets.delete(key);
    if (next) {
      this.#buckets.set(key, next === live ? live : { ...next, fullAt: now + decision.resetMs });
      this.#evictOverflow();
    }
    return decision;
  }

  /** Forgets every bucket that has refilled completely. */
  sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#buckets) if (entry.fullAt <= now) this.#buckets.delete(key);
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  waitUntilReady(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#buckets.clear();
    return Promise.resolve();
  }

  #evictOverflow(): void {
    // O(1) per insert: the sweep runs on its timer, never on the request path.
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#maxKeys) break;
      this.#buckets.delete(key);
    }
  }
}
