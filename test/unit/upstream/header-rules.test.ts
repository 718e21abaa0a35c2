import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type GatewayConfigInput } from '../../../gateway/config/index.ts';
import type { Principal } from '../../../gateway/context/principal.ts';
import { HeaderRules, type HeaderRecord } from '../../../gateway/upstream/header-rules.ts';
import { createTestContext, type TestContext } from '../../helpers/upstream-context.ts';

/**
 * The compiled `headers` rules over a header record, as the pipeline's policy runs them on
 * every upstream call: the config goes through loadConfig (validation, defaults, freeze)
 * exactly as at start-up.
 */
type HeadersInput = NonNullable<GatewayConfigInput['headers']>;

const rulesOf = (headers: HeadersInput): HeaderRules => new HeaderRules(loadConfig({ env: {}, overrides: { headers } }).headers);

const USER: Principal = { kind: 'user', subject: 'u1', scopes: ['orders:read'], roles: ['customer'], tier: 'standard', issuer: 'https://idp.test', claims: Object.freeze({ sub: 'u1', tenant: 'acme', level: 3, nested: { a: 1 } }) };
const CONSUMER: Principal = { kind: 'consumer', consumer: 'partner', scopes: [], roles: [], tier: 'premium', apiKeyId: 'key-1' };

const contexts: TestContext[] = [];
afterEach(() => {
  for (const c of contexts.splice(0)) c.dispose();
});
function ctxWith(requestHeaders: IncomingHttpHeaders, principal?: Principal, rules?: HeaderRules) {
  const c = createTestContext({ requestHeaders, principal, headerRules: rules, clientName: 'web', door: 'bff' });
  contexts.push(c);
  return c.ctx;
}

const DOOR: HeaderRecord = { 'content-type': 'application/json', accept: 'application/json' };

describe('propagate', () => {
  const rules = rulesOf({
    all: {
      request: [
        { propagate: { named: 'X-Tenant' } },
        { propagate: { named: 'x-legacy-org', rename: 'x-org' } },
        { propagate: { named: 'x-locale', default: 'en' } },
        { propagate: { matching: '^x-flag-' } },
      ],
    },
  });

  it('sends named headers (case-insensitive), renamed ones under their new name, and the default for one the client did not send', () => {
    const out = rules.apply('products', DOOR, ctxWith({ 'x-tenant': 't1', 'x-legacy-org': 'o9', 'x-other': 'no' }));
    expect(out).toEqual({ ...DOOR, 'x-tenant': 't1', 'x-org': 'o9', 'x-locale': 'en' });
  });

  it("uses the client's value over the default, and sends nothing for a named header absent without one", () => {
    const out = rules.apply('products', DOOR, ctxWith({ 'x-locale': 'fr' }));
    expect(out['x-locale']).toBe('fr');
    expect(out).not.toHaveProperty('x-tenant');
    expect(out).not.toHaveProperty('x-org');
  });

  it('sends every client header matching a pattern, and never a protected one even when it matches', () => {
    const wide = rulesOf({ all: { request: [{ propagate: { matching: '.*' } }] } });
    const out = wide.apply('products', DOOR, ctxWith({
      'x-flag-a': '1',
      cookie: 'c=1',
      'x-user-id': 'admin',
      'x-user-email': 'forged@example.com',
      'x-consumer-id': 'forged',
      'x-gateway-signature': 'v1=forged',
      'x-request-id': 'client-chosen',
      authorization: 'Bearer stolen',
      'x-api-key': 'k',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'content-length': '999',
      host: 'evil.test',
      connection: 'close',
      accept: 'text/html',
    }));
    expect(out).toEqual({ ...DOOR, 'x-flag-a': '1', cookie: 'c=1' });
  });

  it('leaves the door\'s own headers alone unless a rule names them', () => {
    const out = rules.apply('products', { ...DOOR, 'x-forwarded-for': '10.0.0.1' }, ctxWith({}));
    expect(out).toEqual({ ...DOOR, 'x-forwarded-for': '10.0.0.1', 'x-locale': 'en' });
  });

  it('does not touch the record it was given', () => {
    const door = { ...DOOR };
    rules.apply('products', door, ctxWith({ 'x-tenant': 't1' }));
    expect(door).toEqual(DOOR);
  });
});

describe('insert', () => {
  const rules = rulesOf({
    all: {
      request: [
        { insert: { name: 'x-env', value: 'staging' } },
        { insert: { name: 'x-account', fromContext: 'subject' } },
        { insert: { name: 'x-tier', fromContext: 'tier', default: 'anonymous' } },
        { insert: { name: 'x-tenant', fromClaim: 'tenant' } },
        { insert: { name: 'x-level', fromClaim: 'level' } },
        { insert: { name: 'x-nested', fromClaim: 'nested', default: 'none' } },
        { insert: { name: 'x-key-id', fromContext: 'apiKeyId' } },
        { insert: { name: 'x-via', fromContext: 'door' } },
        { insert: { name: 'x-app', fromContext: 'clientName' } },
      ],
    },
  });

  it('sets static values and values of the verified user', () => {
    const out = rules.apply('users', DOOR, ctxWith({}, USER));
    expect(out).toMatchObject({ 'x-env': 'staging', 'x-account': 'u1', 'x-tier': 'standard', 'x-tenant': 'acme', 'x-level': '3', 'x-nested': 'none', 'x-via': 'bff', 'x-app': 'web' });
    expect(out).not.toHaveProperty('x-key-id');
  });

  it("an API-key consumer has no subject or claims but a key id; a value it lacks is removed, never left as the client's copy", () => {
    const forged = { 'x-account': 'u-victim', 'x-tenant': 'other', 'x-key-id': 'forged' };
    const out = rules.apply('users', { ...DOOR, ...forged }, ctxWith({}, CONSUMER));
    expect(out).not.toHaveProperty('x-account');
    expect(out).not.toHaveProperty('x-tenant');
    expect(out['x-key-id']).toBe('key-1');
    expect(out['x-tier']).toBe('premium');
  });

  it('an anonymous caller gets the defaults and nothing else from the context', () => {
    const out = rules.apply('users', DOOR, ctxWith({}));
    expect(out['x-tier']).toBe('anonymous');
    expect(out).not.toHaveProperty('x-account');
  });

  it('a value that cannot be a header value (a claim with a line break) counts as absent', () => {
    const odd: Principal = { ...USER, kind: 'user', claims: Object.freeze({ tenant: 'a\r\nx-injected: 1' }) };
    const out = rules.apply('users', DOOR, ctxWith({}, odd));
    expect(out).not.toHaveProperty('x-tenant');
  });
});

describe('remove and order', () => {
  it('removes named and matching headers, but never a protected one by pattern', () => {
    const rules = rulesOf({ all: { request: [{ remove: { named: 'Cookie' } }, { remove: { matching: '^x-debug-|^content-' } }] } });
    const out = rules.apply('orders', { ...DOOR, cookie: 'c=1', 'x-debug-trace': '1', 'x-keep': 'k', 'content-type': 'application/json' }, ctxWith({}));
    expect(out).toEqual({ ...DOOR, 'x-keep': 'k' });
  });

  it("runs `all` first, then the upstream's own, each in order: a later rule overrides an earlier one", () => {
    const rules = rulesOf({
      all: { request: [{ propagate: { matching: '^x-' } }, { remove: { named: 'x-secret' } }, { insert: { name: 'x-origin', value: 'all' } }] },
      upstreams: { reviews: { request: [{ insert: { name: 'x-origin', value: 'reviews' } }, { propagate: { named: 'x-secret' } }] } },
    });
    const ctx = ctxWith({ 'x-secret': 's', 'x-a': 'a' });
    expect(rules.apply('products', DOOR, ctx)).toEqual({ ...DOOR, 'x-a': 'a', 'x-origin': 'all' });
    expect(rules.apply('reviews', DOOR, ctx)).toEqual({ ...DOOR, 'x-a': 'a', 'x-origin': 'reviews', 'x-secret': 's' });
  });

  it('an upstream without rules gets no step at all (the policy is left out of its pipeline)', () => {
    const rules = rulesOf({ upstreams: { reviews: { request: [{ insert: { name: 'x-a', value: '1' } }] } } });
    expect(rules.stepsFor('products')).toHaveLength(0);
    expect(rules.stepsFor('reviews')).toHaveLength(1);
    expect(rulesOf({}).stepsFor('anything')).toHaveLength(0);
  });
});

describe('varyKey (what the engine adds to its in-flight sharing key)', () => {
  it('is empty without rules that read the request, so sharing is exactly as before', () => {
    expect(rulesOf({}).varyKey(ctxWith({ 'x-tenant': 't1' }))).toBe('');
    const staticOnly = rulesOf({ all: { request: [{ insert: { name: 'x-env', value: 'prod' } }, { insert: { name: 'x-account', fromContext: 'subject' } }, { remove: { named: 'cookie' } }] } });
    expect(staticOnly.varyKey(ctxWith({ cookie: 'a' }, USER))).toBe('');
  });

  it('differs when a propagated header differs, in any upstream\'s rules, and not when only other headers do', () => {
    const rules = rulesOf({ upstreams: { reviews: { request: [{ propagate: { named: 'x-tenant' } }, { propagate: { matching: '^x-flag-' } }] } } });
    const key = (h: IncomingHttpHeaders): string => rules.varyKey(ctxWith(h));
    expect(key({ 'x-tenant': 'a' })).not.toBe(key({ 'x-tenant': 'b' }));
    expect(key({ 'x-tenant': 'a' })).not.toBe(key({}));
    expect(key({ 'x-flag-x': '1' })).not.toBe(key({ 'x-flag-x': '2' }));
    expect(key({ 'x-tenant': 'a', 'user-agent': 'one' })).toBe(key({ 'x-tenant': 'a', 'user-agent': 'two' }));
    // A protected header a pattern would match is never sent, so it never splits the key.
    const wide = rulesOf({ all: { request: [{ propagate: { matching: '.*' } }] } });
    expect(wide.varyKey(ctxWith({ authorization: 'Bearer a' }))).toBe(wide.varyKey(ctxWith({ authorization: 'Bearer b' })));
  });

  it('holds inserted context values the identity key does not (claims, issuer, door), not the request id', () => {
    const rules = rulesOf({ all: { request: [{ insert: { name: 'x-tenant', fromClaim: 'tenant' } }, { insert: { name: 'x-req', fromContext: 'requestId' } }] } });
    const other: Principal = { ...USER, kind: 'user', claims: Object.freeze({ tenant: 'globex' }) };
    expect(rules.varyKey(ctxWith({}, USER))).not.toBe(rules.varyKey(ctxWith({}, other)));
    expect(rules.varyKey(ctxWith({}, USER))).toBe(rules.varyKey(ctxWith({}, USER)));
  });
});
