import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signDevToken } from '../../../gateway/auth/index.ts';
import type { GatewayConfigInput } from '../../../gateway/config/index.ts';
import { startProxiedStack, type ProxiedStack } from '../../helpers/proxied-stack.ts';
import type { ProxiedCall } from '../../helpers/recording-proxy.ts';
import { postGraphQL } from '../../helpers/stack.ts';

/**
 * `headers` rules against real upstreams: every demo subgraph and REST service behind a
 * recording proxy that keeps the headers each call arrived with, the gateway in front.
 * Each door is driven over HTTP (`/graphql`, a BFF's supergraph and REST calls, the
 * passthrough) and what the upstreams received is compared with what the rules say; the
 * client also sends its own copies of the gateway's identity headers, which no upstream
 * may receive.
 */
const HEADERS: NonNullable<GatewayConfigInput['headers']> = {
  all: {
    request: [
      { propagate: { named: 'X-Tenant' } },
      { propagate: { named: 'x-legacy-locale', rename: 'x-locale' } },
      { propagate: { named: 'x-channel', default: 'unknown' } },
      { propagate: { matching: '^x-flag-' } },
      { remove: { named: 'x-flag-internal' } },
      { insert: { name: 'x-deployment', value: 'test-eu' } },
      { insert: { name: 'x-account', fromContext: 'subject' } },
      { insert: { name: 'x-caller-tier', fromContext: 'tier', default: 'anonymous' } },
      { insert: { name: 'x-org', fromClaim: 'org' } },
    ],
  },
  upstreams: {
    products: { request: [{ insert: { name: 'x-subgraph', value: 'products' } }] },
    notifications: { request: [{ remove: { matching: '^cookie$' } }, { insert: { name: 'x-route', fromContext: 'route' } }] },
  },
};

/** What a client sends besides its token: headers the rules pick up, headers they do not, and forged identity. */
const CLIENT = {
  'x-tenant': 'acme',
  'x-legacy-locale': 'fr-FR',
  'x-flag-beta': 'on',
  'x-flag-internal': 'yes',
  'x-unlisted': 'client-only',
  cookie: 'session=abc',
  'x-account': 'u-victim',
  'x-user-id': 'admin',
  'x-user-roles': 'admin',
  'x-user-email': 'forged@example.com',
  'x-consumer': 'forged',
  'x-consumer-id': 'forged',
  'x-gateway-client': 'forged',
  'x-gateway-tenant': 'forged',
};

const FORGED = ['x-user-email', 'x-consumer', 'x-consumer-id', 'x-gateway-tenant'] as const;

const QUERY = '{ topProducts(first: 2) { name reviews(first: 1) { rating } } }';
const HOME = '{ home { user { name } unreadNotifications } }';

let stack: ProxiedStack;
let bearer: string;
beforeAll(async () => {
  stack = await startProxiedStack({ headers: HEADERS, upstreamDefaults: { retry: { attempts: 1 } } });
  bearer = `Bearer ${await signDevToken({ sub: 'u1', tier: 'premium', claims: { org: 'acme-corp' } })}`;
}, 60_000);
afterAll(async () => stack?.close());
beforeEach(() => stack.proxy.reset());

const callTo = (upstream: string): ProxiedCall => {
  const call = stack.proxy.calls.find((c) => c.upstream === upstream);
  if (!call) throw new Error(`no call reached ${upstream}; calls: ${stack.proxy.calls.map((c) => c.upstream).join(', ')}`);
  return call;
};

/** What every upstream gets from `all` for u1 (premium, of org acme-corp) sending CLIENT. */
function expectAllRules(call: ProxiedCall): void {
  const h = call.headers;
  expect(h['x-tenant'], call.upstream).toBe('acme');
  expect(h['x-locale'], call.upstream).toBe('fr-FR');
  expect(h['x-channel'], call.upstream).toBe('unknown');
  expect(h['x-flag-beta'], call.upstream).toBe('on');
  expect(h['x-flag-internal'], call.upstream).toBeUndefined();
  expect(h['x-deployment'], call.upstream).toBe('test-eu');
  expect(h['x-account'], call.upstream).toBe('u1');
  expect(h['x-caller-tier'], call.upstream).toBe('premium');
  expect(h['x-org'], call.upstream).toBe('acme-corp');
  expectGatewayIdentityOnly(call);
}

function expectGatewayIdentityOnly(call: ProxiedCall): void {
  const h = call.headers;
  expect(h['x-user-id'], call.upstream).toBe('u1');
  expect(h['x-user-roles'], call.upstream).not.toBe('admin');
  expect(h['x-gateway-client'], call.upstream).not.toBe('forged');
  for (const name of FORGED) expect(h[name], `${call.upstream} ${name}`).toBeUndefined();
}

describe('header rules reach real upstreams through every door', () => {
  it('/graphql: each subgraph fetch gets the `all` rules, and products its own on top', async () => {
    const res = await postGraphQL(`${stack.gateway.url}/graphql`, QUERY, {}, { ...CLIENT, authorization: bearer });
    expect(res.body.errors).toBeUndefined();
    const products = callTo('products');
    const reviews = callTo('reviews');
    expectAllRules(products);
    expectAllRules(reviews);
    expect(products.headers['x-subgraph']).toBe('products');
    expect(reviews.headers['x-subgraph']).toBeUndefined();
    // Nothing else of the client's reaches a subgraph: not propagated is not sent.
    for (const call of [products, reviews]) {
      expect(call.headers['x-unlisted'], call.upstream).toBeUndefined();
      expect(call.headers.cookie, call.upstream).toBeUndefined();
      expect(call.headers['x-legacy-locale'], call.upstream).toBeUndefined();
      expect(call.headers.authorization, call.upstream).toBeUndefined();
    }
  });

  it('an anonymous caller: context values it has none of are absent (never its own copy), defaults apply', async () => {
    const res = await postGraphQL(`${stack.gateway.url}/graphql`, QUERY, {}, { 'x-account': 'u-victim', 'x-channel': 'ios' });
    expect(res.body.errors).toBeUndefined();
    const h = callTo('products').headers;
    expect(h['x-account']).toBeUndefined();
    expect(h['x-caller-tier']).toBe('anonymous');
    expect(h['x-channel']).toBe('ios');
    expect(h['x-tenant']).toBeUndefined();
    expect(h['x-org']).toBeUndefined();
    expect(h['x-user-id']).toBeUndefined();
  });

  it("a BFF: its supergraph fetches (in process, through the engine) and its REST call get the rules of the BFF's client request", async () => {
    const res = await postGraphQL(`${stack.gateway.url}/bff/mobile/graphql`, HOME, {}, { ...CLIENT, authorization: bearer });
    expect(res.body.errors).toBeUndefined();
    expect(stack.proxy.calls.map((c) => c.upstream).sort()).toEqual(['notifications', 'users']);
    expectAllRules(callTo('users'));
    const notifications = callTo('notifications');
    expectAllRules(notifications);
    expect(notifications.headers['x-route']).toBe('mobile');
    expect(notifications.headers['x-unlisted']).toBeUndefined();
  });

  it("the passthrough: the client's headers as before, the rules on top, the client's identity copies stripped", async () => {
    const res = await fetch(`${stack.gateway.url}/api/v1/notifications/users/u1/unread-count`, { headers: { ...CLIENT, authorization: bearer } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const call = callTo('notifications');
    expectAllRules(call);
    expect(call.headers['x-route']).toBe('notifications');
    expect(call.headers.cookie).toBeUndefined();
    expect(call.headers['x-unlisted']).toBe('client-only');
  });
});

describe('the stock executor (engine.executor: stock) gets the same rules', () => {
  let stock: ProxiedStack;
  beforeAll(async () => {
    stock = await startProxiedStack({ headers: HEADERS, engine: { executor: 'stock' } });
  }, 60_000);
  afterAll(async () => stock?.close());

  it('each subgraph fetch @apollo/gateway plans goes through the same pipeline policy', async () => {
    const res = await postGraphQL(`${stock.gateway.url}/graphql`, QUERY, {}, { ...CLIENT, authorization: bearer });
    expect(res.body.errors).toBeUndefined();
    const products = stock.proxy.calls.find((c) => c.upstream === 'products');
    expect(products).toBeDefined();
    if (products) {
      expectAllRules(products);
      expect(products.headers['x-subgraph']).toBe('products');
    }
  });
});
