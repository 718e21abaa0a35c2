import { describe, expect, it } from 'vitest';
import { buildSchema, getIntrospectionQuery, parse } from 'graphql';
import { estimateCost, findOperationLimitViolation } from '../../../gateway/graphql/operation-limits/check.ts';
import { operationLimitsConfigSchema, type OperationLimitsConfigInput } from '../../../gateway/graphql/operation-limits/config.ts';
import { STANDARD_INTROSPECTION_DEPTH } from '../../../gateway/graphql/operation-limits/measure.ts';

const schema = buildSchema('type Query { a: A } type A { a: A, b: Int, list(first: Int): [A] }');
const config = (over: OperationLimitsConfigInput = {}) => operationLimitsConfigSchema.parse(over);
const check = (source: string, over: OperationLimitsConfigInput = {}) => findOperationLimitViolation(parse(source), config(over), { schema });

/** `__type(name: "A") { ofType { ofType { … name } } }` with `levels` ofType. */
const ofTypes = (levels: number): string => `{ __type(name: "A") { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} } }`;

describe('introspection and the depth limit', () => {
  it("graphql-js's standard introspection query is 15 deep: deeper than the default 12, and admitted", () => {
    expect(STANDARD_INTROSPECTION_DEPTH).toBe(15);
    expect(config().maxDepth).toBe(12);
    expect(check(getIntrospectionQuery())).toBeUndefined();
    const everything = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true });
    expect(check(everything)).toBeUndefined();
  });

  it('counts introspection fields: a path through __type is held to 15 (or maxDepth if deeper)', () => {
    expect(check(ofTypes(13))).toBeUndefined(); // __type + 13 ofType + name = 15
    expect(check(ofTypes(14))).toEqual({ limit: 'maxDepth', value: 16, max: 15 });
    expect(check(ofTypes(300))).toEqual({ limit: 'maxDepth', value: 302, max: 15 });
    expect(check(ofTypes(18), { maxDepth: 20 })).toBeUndefined();
    expect(check(ofTypes(19), { maxDepth: 20 })).toEqual({ limit: 'maxDepth', value: 21, max: 20 });
  });

  it('counts them through fragments, and keeps the data limit for the rest of the operation', () => {
    const viaFragment = `{ __schema { types { ...T } } } fragment T on __Type { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} }`;
    expect(check(viaFragment)).toMatchObject({ limit: 'maxDepth', value: 23, max: 15 });
    const data13 = `{ ${'a { '.repeat(12)}b${' }'.repeat(12)} __schema { queryType { name } } }`;
    expect(check(data13)).toEqual({ limit: 'maxDepth', value: 13, max: 12 });
  });
});

describe('introspection and the cost estimate', () => {
  it('prices introspection fields at 1 each, without multiplying their lists', () => {
    expect(estimateCost(parse('{ __schema { types { name fields { name } } } }'), config(), { schema })).toBe(5);
    expect(estimateCost(parse(ofTypes(100)), config(), { schema })).toBe(1 + 100 + 1);
    const aliased = `{ ${Array.from({ length: 20 }, (_, i) => `t${i}: __type(name: "A") { name kind }`).join(' ')} }`;
    expect(estimateCost(parse(aliased), config(), { schema })).toBe(20 * 3);
  });

  it('admits the standard introspection query on cost too', () => {
    const cost = estimateCost(parse(getIntrospectionQuery()), config(), { schema });
    expect(cost).toBeGreaterThan(100);
    expect(cost).toBeLessThanOrEqual(config().maxCost);
  });
});
