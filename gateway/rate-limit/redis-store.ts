import { Redis, type ClientContext, type RedisOptions, type Result } from 'ioredis';
import { GCRA_LUA } from './redis-script.ts';
import {
  assertConsumeArgs,
  unavailableDecision,
  type Decision,
  type FailMode,
  type RateLimitLogger,
  type RateLimitStore,
} from './store.ts';

declare module 'ioredis' {
  // The typed face of the script registered with `defineCommand` below (ioredis's documented way).
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    bffgwGcra(key: string, limit: number, windowMs: number, cost: number): Result<[number, number, number, number], Context>;
  }
}

export interface RedisStoreOptions {
  /** `redis://` or `rediss://` URL. */
  url: string;
  /** Longest a decision waits on Redis before the fail mode decides. */
  timeoutMs: number;
  failMode: FailMode;
  /** Prefix of every key this store writes. */
  keyPrefix: string;
  /** Cap of the reconnect backoff. Default 2000 ms. */
  maxReconnectDelayMs?: number;
  logger?: RateLimitLogger;
  /** Called on every decision Redis could not make (for a metric); never throws into the request. */
  onStoreError?: (error: Error) => void;
  /** Extra ioredis options (TLS, auth); the timeouts and queueing above win. */
  redisOptions?: RedisOptions;
}

/** How often a persistent outage is logged again (with the count of failures in between). */
const LOG_EVERY_MS = 10_000;

/**
 * Buckets in Redis, shared by every gateway instance: one `EVALSHA` per decision
 * (ioredis `defineCommand`: `EVAL` the first time on each connection, `EVALSHA` after,
 * and back to `EVAL` if Redis lost its script cache).
 *
 * Built to never hold a request hostage: no offline queue, so a command on a dead
 * connection fails at once instead of queueing; `commandTimeout` plus our own deadline
 * bound every decision to `timeoutMs`; reconnection runs in the background with capped
 * exponential backoff, so a Redis that comes back is used again without a restart.
 * While Redis is unreachable every decision follows `failMode`.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly kind = 'redis' as const;
  readonly #client: Redis;
  readonly #options: RedisStoreOptions;
  #lastLogAt = 0;
  #suppressed = 0;
  #down = false;

  constructor(options: RedisStoreOptions) {
    this.#options = options;
    const maxDelay = options.maxReconnectDelayMs ?? 2_000;
    this.#client = new Redis(options.url, {
      ...options.redisOptions,
      commandTimeout: options.timeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: Math.max(1_000, options.timeoutMs * 10),
      retryStrategy: (attempt) => Math.min(maxDelay, 25 * 2 ** Math.min(attempt, 16)),
    });
    this.#client.defineCommand('bffgwGcra', { numberOfKeys: 1, lua: GCRA_LUA });
    // Without a listener ioredis prints every reconnect failure to stderr.
    this.#client.on('error', (error: Error) => this.#connectionTrouble(error));
    this.#client.on('ready', () => {
      if (!this.#down) return;
      this.#down = false;
      this.#options.logger?.warn({ store: 'redis' }, 'rate-limit store: Redis is reachable again; limits are enforced');
    });
  }

  /** ioredis connection status (`ready` when decisions go to Redis). */
  get status(): string {
    return this.#client.status;
  }

  /** Resolves once connected (or false after `timeoutMs`); start-up and tests use it. */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.#client.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.#client.off('ready', onReady);
        resolve(ok);
      };
      const onReady = (): void => done(true);
      const timer = setTimeout(() => done(this.#client.status === 'ready'), timeoutMs);
      this.#client.on('ready', onReady);
    });
  }

  async consume(key: string, limit: number, windowMs: number, cost = 1): Promise<Decision> {
    assertConsumeArgs(limit, windowMs, cost);
    try {
      const reply = await this.#deadline(this.#client.bffgwGcra(this.#options.keyPrefix + key, limit, windowMs, cost));
      const [allowed, remaining, resetMs, retryAfterMs] = reply;
      return {
        allowed: allowed === 1,
        reason: allowed === 1 ? 'within-limit' : 'limit-exceeded',
        limit,
        remaining,
        resetMs,
        retryAfterMs,
      };
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      this.#decisionFailed(error);
      return unavailableDecision(limit, this.#options.failMode);
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.#deadline(this.#client.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#client.status === 'end') return;
    if (this.#client.status !== 'ready') {
      this.#client.disconnect();
      return;
    }
    try {
      await this.#client.quit();
    } catch {
      this.#client.disconnect();
    }
  }

  /**
   * `commandTimeout` covers one command; a lost script cache resends it, so the whole
   * call also gets a deadline of its own.
   */
  #deadline<T>(pending: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer within ${this.#options.timeoutMs} ms`)),
        this.#options.timeoutMs,
      );
    });
    return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
  }

  #decisionFailed(error: Error): void {
    try {
      this.#options.onStoreError?.(error);
    } catch {
      // a metrics hook must never turn into a failed request
    }
    this.#log(error, `rate-limit store: Redis failed; failing ${this.#options.failMode}`);
  }

  #connectionTrouble(error: Error): void {
    this.#down = true;
    this.#log(error, 'rate-limit store: Redis connection error; reconnecting');
  }

  /** One line per outage, then one per `LOG_EVERY_MS` with how many were not logged. */
  #log(error: Error, msg: string): void {
    const now = Date.now();
    if (now - this.#lastLogAt < LOG_EVERY_MS) {
      this.#suppressed++;
      return;
    }
    this.#options.logger?.warn(
      { store: 'redis', failMode: this.#options.failMode, err: { message: error.message }, suppressed: this.#suppressed },
      msg,
    );
    this.#lastLogAt = now;
    this.#suppressed = 0;
  }
}
