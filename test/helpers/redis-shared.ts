import { randomUUID } from 'node:crypto';
import { pingRedis } from './redis-server.ts';

/** The shared Redis the integration suites use (`REDIS_URL`, else the local default). */
export const sharedRedisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Suites that need Redis fail (never skip) without it, so a CI run cannot go green by
 * not testing. Call in `beforeAll`.
 */
export async function requireSharedRedis(): Promise<string> {
  const url = new URL(sharedRedisUrl);
  const port = Number(url.port || 6379);
  if (!(await pingRedis(port, url.hostname, 1_000))) {
    throw new Error(
      `Redis is required at ${sharedRedisUrl} and did not answer. Start one: ` +
        `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
    );
  }
  return sharedRedisUrl;
}

/** A key prefix no other test run shares, so suites can run in parallel on one Redis. */
export function uniqueKeyPrefix(suite: string): string {
  return `bffgw:test:${suite}:${randomUUID().slice(0, 8)}:`;
}
