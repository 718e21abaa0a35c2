import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { Redis } from 'ioredis';
import type { Principal } from '../../../gateway/context/principal.ts';
import { applyRateLimitDirective, createFieldRateLimiter, rateLimitDirectiveTypeDefs } from '../../../gateway/rate-limit/field-limits.ts';
import { RedisRateLimitStore } from '../../../gateway/rate-limit/redis-store.ts';
import type { DecisionReason } from '../../../gateway/rate-limit/store.ts';
import { requireSharedRedis, uniqueKeyPrefix } from '../../helpers/redis-shared.ts';

/**
 * `@rateLimit` backed by Redis, as two gateway instances run it: two stores (two
 * connections), two field limiters, two copies of the schema, one key prefix.
 */
describe('@rateLimit on Redis, two gateway instances', () => {
  const MAX = 20;
  const keyPrefix = uniqueKeyPrefix('field-limits');
  const stores: RedisRateLimitStore[] = [];
  const reasons: DecisionReason[] = [];
  let instances: GraphQLSchema[];
  let admin: Redis;

  beforeAll(async () => {
    const url = await requireSharedRedis();
    admin = new Redis(url);
    instances = [];
    for (let i = 0; i < 2; i++) {
      // A generous deadline: this test is about exactness, not latency, and asserts below
      // that no decision fell back to the fail mode.
      const store = new RedisRateLimitStore({ url, timeoutMs: 5_000, failMode: 'open', keyPrefix });
      if (!(await store.waitUntilReady(5_000))) throw new Error('shared Redis not ready');
      stores.push(store);
      const schema = buildSchema(`${rateLimitDirectiveTypeDefs}
        type Query {
          quote: String @rateLimit(max: ${MAX}, window: "1m")
          free: String
        }`);
      const fields = schema.getQueryType()!.getFields();
      fields.quote!.resolve = () => 'buy';
      fields.free!.resolve = () => 'always';
      instances.push(applyRateLimitDirective(schema, createFieldRateLimiter({ store, onDecision: (e) => reasons.push(e.reason) })));
    }
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await admin?.quit();
  });

  const caller = (subject: string): Principal => ({ kind: 'user', subject, tier: 'free', scopes: [], roles: [] });
  const run = (i: number, subject: string) =>
    graphql({ schema: instances[i % 2]!, source: '{ quote free }', contextValue: { request: { principal: caller(subject), clientIp: '192.0.2.1' } } });

  it(`admits exactly max (${MAX}) of 3 × max concurrent calls, whichever instance takes them`, async () => {
    reasons.length = 0;
    const results = await Promise.all(Array.from({ length: 3 * MAX }, (_, i) => run(i, 'dana')));
    expect(reasons).toHaveLength(3 * MAX);
    expect(reasons.filter((r) => r === 'store-unavailable')).toHaveLength(0);
    const admitted = results.filter((r) => r.data?.quote === 'buy');
    const refused = results.filter((r) => r.data?.quote === null);
    expect(admitted).toHaveLength(MAX);
    expect(refused).toHaveLength(2 * MAX);
    for (const r of refused) {
      expect(r.data?.free).toBe('always'); // the rest of the response still renders
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'limit-exceeded', scope: 'field:Query.quote' });
      // nothing leaves the window for a minute
      expect(r.errors?.[0]?.extensions.retryAfterSeconds).toBeGreaterThan(50);
    }
    // one window, shared, holding the admitted calls only
    expect(await admin.keys(`${keyPrefix}*`)).toEqual([`${keyPrefix}field-window:Query.quote:u:dana`]);
    expect(await admin.zcard(`${keyPrefix}field-window:Query.quote:u:dana`)).toBe(MAX);
  });

  it('keeps callers apart across instances', async () => {
    reasons.length = 0;
    const results = await Promise.all(Array.from({ length: 2 * MAX }, (_, i) => run(i, i % 4 < 2 ? 'erin' : 'frank')));
    expect(reasons.filter((r) => r === 'store-unavailable')).toHaveLength(0);
    expect(results.filter((r) => r.data?.quote === 'buy')).toHaveLength(2 * MAX);
  });
});
