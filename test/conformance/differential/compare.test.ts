import { describe, expect, it } from 'vitest';
import { differenceBetween, type Answer } from './compare.ts';

/** The comparison the differential suites rest on: what it tells apart, and the little it forgives. */
const answer = (body: unknown, status = 200): Answer => ({ status, body, text: JSON.stringify(body) });
const err = (message: string, path?: Array<string | number>, extensions: Record<string, unknown> = {}) => ({ message, ...(path ? { path } : {}), extensions });

describe('differenceBetween', () => {
  it('equal answers have no difference', () => {
    const body = { data: { a: { b: [1, { c: null }] } }, errors: [err('x', ['a'], { code: 'C', serviceName: 's' })] };
    expect(differenceBetween(answer(body), answer(structuredClone(body)))).toBeUndefined();
  });

  it('tells apart key order, missing and extra members, values, lengths and status', () => {
    expect(differenceBetween(answer({ data: { a: 1, b: 2 } }), answer({ data: { b: 2, a: 1 } }))).toMatch(/\$\.data: key order differs/);
    expect(differenceBetween(answer({ data: { a: 1 } }), answer({ data: { a: 1, b: 2 } }))).toMatch(/\$\.data: ours lacks b/);
    expect(differenceBetween(answer({ data: { a: [1, 2] } }), answer({ data: { a: [1] } }))).toMatch(/\$\.data\.a: ours has 2 items, stock 1/);
    expect(differenceBetween(answer({ data: { a: { b: null } } }), answer({ data: { a: { b: 0 } } }))).toMatch(/\$\.data\.a\.b: ours null, stock 0/);
    expect(differenceBetween(answer({ data: null }, 500), answer({ data: null }))).toMatch(/HTTP status/);
    expect(differenceBetween(answer({ data: {} }), answer({ data: {}, errors: [err('x')] }))).toMatch(/top-level members/);
    expect(differenceBetween(answer({ data: {}, extensions: { valueCompletion: [] } }), answer({ data: {} }))).toMatch(/top-level members/);
  });

  it('compares every member of every error, in any order (parallel fetches answer in any order)', () => {
    const a = err('a', ['x', 0], { code: 'A', serviceName: 's' });
    const b = err('b', ['y'], { code: 'B', serviceName: 't', field: 'first' });
    expect(differenceBetween(answer({ data: {}, errors: [a, b] }), answer({ data: {}, errors: [b, a] }))).toBeUndefined();
    expect(differenceBetween(answer({ data: {}, errors: [a] }), answer({ data: {}, errors: [{ ...a, path: ['x', 1] }] }))).toMatch(/path/);
    expect(differenceBetween(answer({ data: {}, errors: [a] }), answer({ data: {}, errors: [{ ...a, extensions: { code: 'A' } }] }))).toMatch(/serviceName/);
    expect(differenceBetween(answer({ data: {}, errors: [a] }), answer({ data: {}, errors: [{ ...a, locations: [{ line: 1, column: 2 }] }] }))).toMatch(/locations/);
  });

  it("an error the gateway itself raised: ours says exactly 'Internal server error', the rest must match", () => {
    const stock = err('Was not able to find any options for id', undefined, { code: 'INTERNAL_SERVER_ERROR' });
    const ours = err('Internal server error', undefined, { code: 'INTERNAL_SERVER_ERROR' });
    expect(differenceBetween(answer({ errors: [ours] }, 500), answer({ errors: [stock] }, 500))).toBeUndefined();
    expect(differenceBetween(answer({ errors: [{ ...ours, message: 'oops' }] }, 500), answer({ errors: [stock] }, 500))).toMatch(/message/);
    // A subgraph's error (it names the subgraph) is compared as it is.
    const fromSubgraph = err('boom', ['a'], { code: 'INTERNAL_SERVER_ERROR', serviceName: 's' });
    expect(differenceBetween(answer({ data: {}, errors: [{ ...fromSubgraph, message: 'Internal server error' }] }), answer({ data: {}, errors: [fromSubgraph] }))).toMatch(/message/);
  });

  it('transport: same data and error paths; our differently worded errors must carry a transport code', () => {
    const stock = answer({ data: { p: null }, errors: [err('request to http://127.0.0.1:1/graphql failed, reason: connect ECONNREFUSED', undefined, { code: 'INTERNAL_SERVER_ERROR' })] });
    const ours = answer({ data: { p: null }, errors: [err('Upstream "reviews" is unavailable', undefined, { code: 'UPSTREAM_UNAVAILABLE', serviceName: 'reviews' })] });
    expect(differenceBetween(ours, stock, 'transport')).toBeUndefined();
    expect(differenceBetween(ours, stock)).toBeDefined();
    const notTransport = answer({ data: { p: null }, errors: [err('something else', undefined, { code: 'BAD_USER_INPUT' })] });
    expect(differenceBetween(notTransport, stock, 'transport')).toMatch(/not a transport error/);
    const otherPath = answer({ data: { p: null }, errors: [err('Upstream "reviews" is unavailable', ['p'], { code: 'UPSTREAM_UNAVAILABLE' })] });
    expect(differenceBetween(otherPath, stock, 'transport')).toMatch(/path/);
    const otherData = answer({ data: { p: { id: '1' } }, errors: [err('Upstream "reviews" is unavailable', undefined, { code: 'UPSTREAM_UNAVAILABLE' })] });
    expect(differenceBetween(otherData, stock, 'transport')).toMatch(/\$\.data\.p/);
    const oneMore = answer({ data: { p: null }, errors: [...((ours.body as { errors: unknown[] }).errors), err('x', undefined, { code: 'UPSTREAM_UNAVAILABLE' })] });
    expect(differenceBetween(oneMore, stock, 'transport')).toMatch(/path/);
  });
});
