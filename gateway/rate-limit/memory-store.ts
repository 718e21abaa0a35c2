import { gcraStep, type BucketState } from './gcra.ts';
import { slidingWindowStep } from './sliding-window.ts';
import { assertConsumeArgs, type Decision, type RateLimitStore } from './store.ts';

export interface MemoryStoreOptions {
  /** Most keys (buckets and windows) kept; when full, the least recently used goes. Default 100000. */
  maxKeys?: number;
  /** How often state that no longer matters is swept. Default 30000 ms. */
  sweepIntervalMs?: number;
  /** Monotonic clock in ms (tests inject one). Default `performance.now`. */
  now?: () => number;
}

/** A key's state, and when forgetting it changes nothing (a full bucket, an empty window). */
type Entry =
  | { readonly kind: 'bucket'; readonly state: BucketState; readonly forgetAt: number }
  | { readonly kind: 'window'; readonly hits: readonly number[]; readonly forgetAt: number };

/**
 * Per-process buckets and windows: exact within one process (decisions are synchronous),
 * shared by nobody. Bounded three ways: state is forgotten once it no longer matters (a
 * missing bucket is a full one, a missing window an empty one); at `maxKeys` the least
 * recently used key goes first; and a window holds at most `max` times. So a flood of
 * distinct clients costs memory proportional to `maxKeys`, never more. (Dropping live state
 * under such a flood forgives that identity; the bound matters more.)
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly kind = 'memory' as const;
  /** Insertion order is recency order: a touched key is re-inserted at the end. */
  readonly #entries = new Map<string, Entry>();
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

  /** Keys currently held (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  async consume(key: string, limit: number, windowMs: number, cost = 1): Promise<Decision> {
    return this.consumeSync(key, limit, windowMs, cost);
  }

  consumeSync(key: string, limit: number, windowMs: number, cost = 1): Decision {
    assertConsumeArgs(limit, windowMs, cost);
    const now = this.#now();
    const current = this.#take(key, 'bucket', now);
    const { decision, next } = gcraStep(current?.state, now, limit, windowMs, cost);
    if (next) this.#put(key, next === current?.state ? current : { kind: 'bucket', state: next, forgetAt: now + decision.resetMs });
    return decision;
  }

  async consumeWindow(key: string, max: number, windowMs: number, cost = 1): Promise<Decision> {
    return this.consumeWindowSync(key, max, windowMs, cost);
  }

  consumeWindowSync(key: string, max: number, windowMs: number, cost = 1): Decision {
    assertConsumeArgs(max, windowMs, cost);
    const now = this.#now();
    const current = this.#take(key, 'window', now);
    const { decision, next } = slidingWindowStep(current?.hits, now, max, windowMs, cost);
    // The newest call leaves the window last; after that the window is empty.
    const newest = next.at(-1);
    if (newest !== undefined) this.#put(key, { kind: 'window', hits: next, forgetAt: newest + windowMs });
    return decision;
  }

  /** Forgets every bucket that has refilled and every window that has emptied. */
  sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.forgetAt <= now) this.#entries.delete(key);
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  waitUntilReady(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#entries.clear();
    return Promise.resolve();
  }

  /**
   * Removes `key` and returns its live state of `kind`. Expired-but-unswept state is none,
   * and so is state of the other kind (a caller mixing them up gets a fresh one).
   */
  #take<K extends Entry['kind']>(key: string, kind: K, now: number): Extract<Entry, { kind: K }> | undefined {
    const current = this.#entries.get(key);
    this.#entries.delete(key);
    return current !== undefined && current.kind === kind && current.forgetAt > now ? (current as Extract<Entry, { kind: K }>) : undefined;
  }

  /** Re-inserting moves the key to the end: recency order, so eviction drops the least recent. */
  #put(key: string, entry: Entry): void {
    this.#entries.set(key, entry);
    // O(1) per insert: the sweep runs on its timer, never on the request path.
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxKeys) break;
      this.#entries.delete(oldest);
    }
  }
}
