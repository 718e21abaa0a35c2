import { afterEach, describe, expect, it } from 'vitest';
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { ANONYMOUS, type Principal } from '../../../gateway/context/principal.ts';
import {
  applyRateLimitDirective,
  createFieldRateLimiter,
  parseDuration,
  rateLimitDirectiveTypeDefs,
  rateLimitField,
} from '../../../gateway/rate-limit/field-limits.ts';
import { MemoryRateLimitStore } from '../../../gateway/rate-limit/memory-store.ts';
import type { RateLimitStore } from '../../../gateway/rate-limit/store.ts';

const stores: RateLimitStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

function newStore(): MemoryRateLimitStore {
  const store = new MemoryRateLimitStore();
  stores.push(store);
  return store;
}

const sdl = `${rateLimitDirectiveTypeDefs}
  type Query {
    quote: String @rateLimit(max: 2, window: "1m")
    product(id: ID!): String @rateLimit(max: 1, window: "10s", identityArgs: ["id"])
    free: String
  }
  type Mutation {
    invite(emails: [String!]!): Boolean @rateLimit(max: 3, window: "1h", arrayLengthField: "emails", message: "Too many invitations")
  }
`;

function schemaWithResolvers(): GraphQLSchema {
  const schema = buildSchema(sdl);
  const query = schema.getQueryType()!.getFields();
  query.quote!.resolve = () => 'buy';
  query.product!.resolve = (_s, args: { id?: string }) => `product ${args.id}`;
  query.free!.resolve = () => 'always';
  schema.getMutationType()!.getFields().invite!.resolve = () => true;
  return schema;
}

const ctx = (principal: Principal, clientIp = '192.0.2.1') => ({ request: { principal, clientIp } });
const alice: Principal = { kind: 'user', subject: 'alice', tier: 'free', scopes: [], roles: [] };

describe('@rateLimit on a graphql 16 schema', () => {
  it('admits max calls per caller, then answers RATE_LIMITED for that field only', async () => {
    const schema = applyRateLimitDirective(schemaWithResolvers(), createFieldRateLimiter({ store: newStore() }));
    const run = (contextValue: unknown) => graphql({ schema, source: '{ quote free }', contextValue });
    expect((await run(ctx(alice))).data).toEqual({ quote: 'buy', free: 'always' });
    expect((await run(ctx(alice))).errors).toBeUndefined();
    const third = await run(ctx(alice));
    expect(third.data).toEqual({ quote: null, free: 'always' });
    expect(third.errors).toHaveLength(1);
    expect(third.errors?.[0]?.path).toEqual(['quote']);
    expect(third.errors?.[0]?.locations).toBeDefined();
    expect(third.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      reason: 'limit-exceeded',
      scope: 'field:Query.quote',
    });
    // a sliding window: room comes back when the first call is a minute old (a bucket would say 30 s)
    expect(third.errors?.[0]?.extensions.retryAfterSeconds).toBeGreaterThanOrEqual(55);
    expect(third.errors?.[0]?.extensions.retryAfterSeconds).toBeLessThanOrEqual(60);
    // a field-level refusal must not turn the partial-data response into a 429
    expect(third.errors?.[0]?.extensions.http).toBeUndefined();
    // another caller (anonymous, keyed by IP) has its own bucket
    expect((await run(ctx(ANONYMOUS))).errors).toBeUndefined();
  });

  it('"max 60, window 1m" means at most 60 in any minute, however slowly the 60 came', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore({ now: () => now });
    stores.push(store);
    const schema = buildSchema(`${rateLimitDirectiveTypeDefs} type Query { home: String @rateLimit(max: 60, window: "1m") }`);
    schema.getQueryType()!.getFields().home!.resolve = () => 'home';
    applyRateLimitDirective(schema, createFieldRateLimiter({ store }));
    const home = async (at: number) => {
      now = at;
      return (await graphql({ schema, source: '{ home }', contextValue: ctx(alice) })).errors?.[0]?.extensions;
    };
    // one call a second: 60 admitted; the 61st, 59.5 s in, is refused (a bucket of 60
    // refilled at 1/s would have admitted it, and ~59 more before the minute was out)
    for (let i = 0; i < 60; i++) expect(await home(i * 1_000)).toBeUndefined();
    expect(await home(59_500)).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    expect(await home(60_000)).toBeUndefined(); // the call at 0 has left the window
    expect(await home(60_500)).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('counts per identity argument value when identityArgs is set', async () => {
    const schema = applyRateLimitDirective(schemaWithResolvers(), createFieldRateLimiter({ store: newStore() }));
    const product = (id: string) => graphql({ schema, source: `{ product(id: "${id}") }`, contextValue: ctx(alice) });
    expect((await product('1')).errors).toBeUndefined();
    expect((await product('2')).errors).toBeUndefined();
    expect((await product('1')).errors?.[0]?.extensions.code).toBe('RATE_LIMITED');
  });

  it('counts a list argument by its length and uses the custom message', async () => {
    const schema = applyRateLimitDirective(schemaWithResolvers(), createFieldRateLimiter({ store: newStore() }));
    const invite = (emails: string[]) =>
      graphql({ schema, source: 'mutation($e: [String!]!) { invite(emails: $e) }', variableValues: { e: emails }, contextValue: ctx(alice) });
    expect((await invite(['a', 'b'])).data).toEqual({ invite: true });
    const over = await invite(['c', 'd']);
    expect(over.errors?.[0]?.message).toBe('Too many invitations');
    expect(over.errors?.[0]?.extensions.code).toBe('RATE_LIMITED');
    expect((await invite(['c'])).data).toEqual({ invite: true });
  });

  it('fails at start-up on a bad window or a schema without the directive', () => {
    const bad = buildSchema(`${rateLimitDirectiveTypeDefs} type Query { a: String @rateLimit(max: 1, window: "soon") }`);
    expect(() => applyRateLimitDirective(bad, createFieldRateLimiter({ store: newStore() }))).toThrow(/Query\.a.*window/);
    expect(() => applyRateLimitDirective(buildSchema('type Query { a: String }'), createFieldRateLimiter({ store: newStore() }))).toThrow(
      /no @rateLimit directive/,
    );
  });

  it('says plainly when the context has no caller', async () => {
    const schema = applyRateLimitDirective(schemaWithResolvers(), createFieldRateLimiter({ store: newStore() }));
    const result = await graphql({ schema, source: '{ quote }', contextValue: {} });
    expect(result.errors?.[0]?.message).toMatch(/identify/);
  });
});

describe('rateLimitField', () => {
  it('wraps a resolver with a custom identify and never runs it when denied', async () => {
    let runs = 0;
    const limiter = createFieldRateLimiter<{ who: string }>({
      store: newStore(),
      identify: (c) => ({ principal: { kind: 'consumer', consumer: c.who, tier: 'free', scopes: [], roles: [] }, clientIp: '' }),
    });
    const schema = buildSchema('type Query { hello: String }');
    schema.getQueryType()!.getFields().hello!.resolve = rateLimitField(
      () => {
        runs++;
        return 'hi';
      },
      { max: 1, window: 60_000 },
      limiter,
    );
    expect((await graphql({ schema, source: '{ hello }', contextValue: { who: 'acme' } })).data).toEqual({ hello: 'hi' });
    expect((await graphql({ schema, source: '{ hello }', contextValue: { who: 'acme' } })).errors?.[0]?.extensions.code).toBe(
      'RATE_LIMITED',
    );
    expect(runs).toBe(1);
  });

  it('refuses a nonsense limit when wrapping', () => {
    const limiter = createFieldRateLimiter({ store: newStore() });
    expect(() => rateLimitField(() => 1, { max: 0, window: '1s' }, limiter)).toThrow(/max/);
  });
});

describe('parseDuration', () => {
  it('reads what graphql-rate-limit windows say', () => {
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('1.5 m')).toBe(90_000);
    expect(parseDuration('2 hours')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('1 fortnight')).toBeUndefined();
  });
});
