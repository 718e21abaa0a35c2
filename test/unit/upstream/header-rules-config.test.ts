import { describe, expect, it } from 'vitest';
import { checkReferences, ConfigError, loadConfig, type GatewayConfigInput } from '../../../gateway/config/index.ts';
import { knownNames } from '../../../gateway/known-names.ts';

/**
 * `headers` is validated when the config loads: a rule that would reach the gateway's own
 * headers, a pattern that does not compile, a rule that says two things at once or names
 * an upstream that does not exist stops start-up with a ConfigError naming the key.
 */
type HeadersInput = NonNullable<GatewayConfigInput['headers']>;

function problemsOf(headers: unknown): string[] {
  try {
    const config = loadConfig({ env: {}, overrides: { headers: headers as HeadersInput } });
    checkReferences(config, knownNames(config));
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

const one = (rule: unknown): string[] => problemsOf({ all: { request: [rule] } });

describe('header rules config', () => {
  it('accepts every form of rule, for all and per upstream (subgraph or route)', () => {
    expect(
      problemsOf({
        all: {
          request: [
            { propagate: { named: 'x-tenant', rename: 'x-org', default: 'none' } },
            { propagate: { matching: '^x-flag-' } },
            { insert: { name: 'x-env', value: 'prod' } },
            { insert: { name: 'x-account', fromContext: 'subject', default: 'anonymous' } },
            { insert: { name: 'x-tenant-id', fromClaim: 'tenant' } },
            { remove: { named: 'cookie' } },
            { remove: { matching: '^x-debug-' } },
          ],
        },
        upstreams: { products: { request: [{ insert: { name: 'x-subgraph', value: 'products' } }] } },
      }),
    ).toEqual([]);
  });

  it.each([
    ['propagate.named', { propagate: { named: 'x-user-id' } }, 'x-user-id'],
    ['propagate.named', { propagate: { named: 'X-User-Email' } }, 'X-User-Email'],
    ['propagate.rename', { propagate: { named: 'x-account', rename: 'x-user-id' } }, 'x-user-id'],
    ['propagate.rename', { propagate: { named: 'x-app', rename: 'x-gateway-client' } }, 'x-gateway-client'],
    ['insert.name', { insert: { name: 'x-consumer-tier', value: 'enterprise' } }, 'x-consumer-tier'],
    ['insert.name', { insert: { name: 'x-consumer', fromContext: 'subject' } }, 'x-consumer'],
    ['insert.name', { insert: { name: 'x-request-id', fromContext: 'requestId' } }, 'x-request-id'],
    ['insert.name', { insert: { name: 'x-gateway-signature', value: 'v1=x' } }, 'x-gateway-signature'],
    ['remove.named', { remove: { named: 'x-user-roles' } }, 'x-user-roles'],
  ])('refuses a rule on an identity header, naming the key (%s: %s)', (key, rule, name) => {
    const [problem, ...more] = one(rule);
    expect(more).toEqual([]);
    expect(problem).toBe(`headers.all.request.0.${key}: "${name}" is an identity header the gateway sets and signs (x-user-*, x-consumer*, x-gateway-*, x-request-id): no header rule may set, propagate, rename onto or remove it`);
  });

  it('refuses rules on credentials (that is forwardCredentials), trace context and the call\'s framing', () => {
    expect(one({ propagate: { named: 'Authorization' } })[0]).toMatch(/^headers\.all\.request\.0\.propagate\.named: "Authorization" is a credential the gateway consumes: .*forwardCredentials/);
    expect(one({ propagate: { named: 'x-token', rename: 'x-api-key' } })[0]).toMatch(/^headers\.all\.request\.0\.propagate\.rename: "x-api-key" is a credential/);
    expect(one({ insert: { name: 'traceparent', value: '00-x' } })[0]).toMatch(/^headers\.all\.request\.0\.insert\.name: "traceparent" is trace context/);
    expect(one({ remove: { named: 'content-type' } })[0]).toMatch(/^headers\.all\.request\.0\.remove\.named: "content-type" belongs to the call the gateway builds/);
    expect(one({ propagate: { named: 'content-length' } })[0]).toMatch(/"content-length" belongs to the call/);
  });

  it('refuses a pattern that is not a regular expression, naming the key', () => {
    expect(one({ propagate: { matching: '^x-(' } })).toEqual([expect.stringMatching(/^headers\.all\.request\.0\.propagate\.matching: not a valid regular expression: .*Unterminated group/)]);
    expect(problemsOf({ upstreams: { users: { request: [{ remove: { matching: '[' } }] } } })[0]).toMatch(/^headers\.upstreams\.users\.request\.0\.remove\.matching: not a valid regular expression/);
  });

  it('refuses a rule that says nothing, or two things at once, saying what it may say', () => {
    expect(one({})).toEqual(['headers.all.request.0: needs one of `propagate`, `insert`, `remove`']);
    expect(one({ propagate: { named: 'a' }, remove: { named: 'b' } })).toEqual(['headers.all.request.0: takes only one of `propagate`, `insert`, `remove` (has propagate and remove)']);
    expect(one({ propagate: { named: 'a', matching: 'b' } })).toEqual(['headers.all.request.0.propagate: takes only one of `named`, `matching` (has named and matching)']);
    expect(one({ propagate: { matching: '^x-', rename: 'y' } })).toEqual(['headers.all.request.0.propagate.rename: only applies with `named`']);
    expect(one({ insert: { name: 'x-a' } })).toEqual(['headers.all.request.0.insert: needs one of `value`, `fromContext`, `fromClaim`']);
    expect(one({ insert: { name: 'x-a', value: 'v', default: 'd' } })).toEqual(['headers.all.request.0.insert.default: only applies with `fromContext` or `fromClaim`']);
  });

  it('refuses unknown keys, context sources, header names and values that HTTP cannot carry', () => {
    expect(one({ propagate: { name: 'x-a' } })[0]).toMatch(/^headers\.all\.request\.0\.propagate: .*unknown key: name/);
    expect(one({ insert: { name: 'x-a', fromContext: 'email' } })[0]).toMatch(/^headers\.all\.request\.0\.insert\.fromContext: /);
    expect(one({ insert: { name: 'x a', value: 'v' } })[0]).toMatch(/^headers\.all\.request\.0\.insert\.name: a header name/);
    expect(one({ insert: { name: 'x-a', value: 'v\r\nx-user-id: admin' } })[0]).toMatch(/^headers\.all\.request\.0\.insert\.value: a header value/);
  });

  it('refuses rules for an upstream that does not exist, with the closest name', () => {
    expect(problemsOf({ upstreams: { prodcuts: { request: [] } } })).toEqual([expect.stringMatching(/^headers\.upstreams\.prodcuts: there is no upstream "prodcuts" \(did you mean "products"\?\)/)]);
  });
});
