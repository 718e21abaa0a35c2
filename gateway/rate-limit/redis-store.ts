import { Redis, type ClientContext, type RedisOptions, type Result } from 'ioredis';
import { GCRA_LUA } from './redis-script.ts';
import { SLIDING_WINDOW_LUA } from './redis-window-script.ts';
import {
  assertConsumeArgs,
  unavailableDecision,
  type Decision,
  type FailMode,
  type RateLimitLogger,
  type RateLimitStore,
  type StoreErrorSource,
} from './store.ts';

/** What both scripts answer: allowed (0|1), remaining, resetMs, retryAfterMs. */
type ScriptReply = [number, number, number, number];

declare module 'ioredis' {
  // The typed face of the scripts registered with `defineCommand` below (ioredis's documented way).
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    bffgwGcra(key: string, limit: number, windowMs: number, cost: number): Result<ScriptReply, Context>;
    bffgwWindow(key: string, max: number, windowMs: number, cost: number): Result<ScriptReply, Context>;
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
  /**
   * Called once per decision Redis could not make and once per failed connection attempt
   * (`source` says which; see `StoreErrorSource`), for a metric; a throw is ignored.
   */
  onStoreError?: (error: Error, source: StoreErrorSource) => void;
  /** Extra ioredis options (TLS, auth); the timeouts and queueing above win. */
  redisOptions?: RedisOptions;
}

/** How often a persistent outage is logged again (with the count of failures in between). */
const LOG_EVERY_MS = 10_000;

/**
 * Buckets and windows in Redis, shared by every gateway instance: one `EVALSHA` per
 * decision (ioredis `defineCommand`: `EVAL` for the first command of each script on each
 * connection, `EVALSHA` after, even within one pipelined burst, and back to `EVAL` if Redis
 * lost its script cache). Preloading with `SCRIPT LOAD` would save nothing: ioredis still
 * sends the first call of each script on a connection as `EVAL`, whatever Redis has cached,
 * and that is one `EVAL` per script per connection (the integration tests count them).
 *
 * Built to never hold a request hostage: no offline queue, so a command on a dead
 * connection fails at once instead of queueing; a deadline of `timeoutMs` bounds every
 * decision; reconnection runs in the background with capped exponential backoff, so a
 * Redis that comes back is used again without a restart. While Redis is unreachable every
 * decision follows `failMode`. Every failed decision and every failed connection attempt
 * is reported to `onStoreError` (and logged, throttled).
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly kind = 'redis' as const;
  readonly #client: Redis;
  readonly #options: RedisStoreOptions;
  #lastLogAt = 0;
  #suppressed = 0;
  #down = false;
  #closed = false;

  constructor(options: RedisStoreOptions) {
    this.#options = options;
    const maxDelay = options.maxReconnectDelayMs ?? 2_000;
    this.#client = new Redis(options.url, {
      // Named, so operators can tell it apart in CLIENT LIST (a `?connectionName=` in the URL wins).
      connectionName: 'bff-gateway:rate-limit',
      ...options.redisOptions,
      // No `commandTimeout`: our own deadline (`#deadline`) bounds every call, and ioredis's
      // would fire first, before a reply already waiting in the socket could be read.
      commandTimeout: undefined,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: Math.max(1_000, options.timeoutMs * 10),
      retryStrategy: (attempt) => Math.min(maxDelay, 25 * 2 ** Math.min(attempt, 16)),
    });
    this.#client.defineCommand('bffgwGcra', { numberOfKeys: 1, lua: GCRA_LUA });
    this.#client.defineCommand('bffgwWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
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
    return this.#decide(limit, () => this.#client.bffgwGcra(this.#options.keyPrefix + key, limit, windowMs, cost));
  }

  async consumeWindow(key: string, max: number, windowMs: number, cost = 1): Promise<Decision> {
    assertConsumeArgs(max, windowMs, cost);
    return this.#decide(max, () => this.#client.bffgwWindow(this.#options.keyPrefix + key, max, windowMs, cost));
  }

  /**
   * Other shared state on this connection (APQ texts, gateway/clients/apq-store.ts), with
   * the same deadline, no offline queue and background reconnection: undefined when Redis
   * did not answer in time (the caller falls back), null when the key is absent. Trouble is
   * logged (throttled) but not counted as a rate-limit decision error.
   */
  async getText(key: string): Promise<string | null | undefined> {
    try {
      return await this.#deadline(this.#client.get(key));
    } catch (thrown) {
      this.#log(thrown instanceof Error ? thrown : new Error(String(thrown)), 'shared store: Redis GET failed; using this instance\'s memory');
      return undefined;
    }
  }

  /** SET with a TTL (seconds) on this connection; false when Redis did not take it. */
  async setText(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    try {
      return (await this.#deadline(this.#client.set(key, value, 'EX', ttlSeconds))) === 'OK';
    } catch (thrown) {
      this.#log(thrown instanceof Error ? thrown : new Error(String(thrown)), 'shared store: Redis SET failed; kept in this instance\'s memory');
      return false;
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
    this.#closed = true;
    if (this.#client.status === 'end') return;
    if (this.#client.status !== 'ready') {
      this.#client.disconnect();
      return;
    }
    try {
      // Bounded like every other call: a stalled Redis never answers QUIT either.
      await this.#deadline(this.#client.quit());
    } catch {
      this.#client.disconnect();
    }
  }

  /** One script call under the deadline, its reply as a decision; any failure → the fail mode. */
  async #decide(limit: number, run: () => Promise<ScriptReply>): Promise<Decision> {
    try {
      const [allowed, remaining, resetMs, retryAfterMs] = await this.#deadline(run());
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

  /**
   * At most `timeoutMs` for one call, retries of a lost script cache included. The timer
   * runs on our event loop, so it also measures how busy the gateway is: after a long busy
   * stretch (a burst of requests) it can fire while Redis's answer already waits, unread, in
   * the socket. So the deadline takes effect one turn later (`setImmediate` runs after the
   * poll phase has read the sockets): an answer that has arrived wins; only a Redis that has
   * not answered fails the call. Without this, a 50 ms deadline failed decisions whose
   * answer had come back in a millisecond, exactly when a burst is what needs limiting.
   */
  #deadline<T>(pending: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let late: NodeJS.Immediate | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        late = setImmediate(() => reject(new Error(`Redis did not answer within ${this.#options.timeoutMs} ms`)));
      }, this.#options.timeoutMs);
    });
    return Promise.race([pending, timeout]).finally(() => {
      clearTimeout(timer);
      if (late) clearImmediate(late);
    });
  }

  #decisionFailed(error: Error): void {
    this.#report(error, 'decision');
    this.#log(error, `rate-limit store: Redis failed; failing ${this.#options.failMode}`);
  }

  /**
   * ioredis's `error` event: a failed connection or reconnection attempt (refused, reset,
   * timed out). Never a command's failure (those reject the command, and are counted by
   * `#decisionFailed`), so nothing is counted twice; with no traffic at all an outage still
   * shows, once per attempt (at most one per `maxReconnectDelayMs` once backed off).
   */
  #connectionTrouble(error: Error): void {
    if (this.#closed) return;
    this.#down = true;
    this.#report(error, 'connection');
    this.#log(error, 'rate-limit store: Redis connection error; reconnecting');
  }

  #report(error: Error, source: StoreErrorSource): void {
    try {
      this.#options.onStoreError?.(error, source);
    } catch {
      // a metrics hook must never turn into a failed request
    }
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
