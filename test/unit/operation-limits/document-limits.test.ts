import { describe, expect, it } from 'vitest';
import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { findOperationLimitViolation } from '../../../gateway/graphql/operation-limits/check.ts';
import { operationLimitsConfigSchema, type OperationLimitsConfigInput } from '../../../gateway/graphql/operation-limits/config.ts';
import { operationLimitsRule } from '../../../gateway/graphql/operation-limits/validation-rule.ts';
import { describeViolation } from '../../../gateway/graphql/operation-limits/violation.ts';

const config = (over: OperationLimitsConfigInput = {}) => operationLimitsConfigSchema.parse(over);
const check = (source: string, over: OperationLimitsConfigInput = {}) => findOperationLimitViolation(parse(source), config(over));

/** `{ a { a { … } } }` with `depth` levels. */
const nested = (depth: number): string => (depth === 0 ? '' : `{ a ${nested(depth - 1)} }`);

describe('maxDepth', () => {
  it('admits depth 12 and rejects 13 by default, saying so', () => {
    expect(check(nested(12))).toBeUndefined();
    const v = check(nested(13));
    expect(v).toEqual({ limit: 'maxDepth', value: 13, max: 12 });
    expect(describeViolation(v!)).toBe('Query depth 13 exceeds the limit of 12');
  });

  it('expands fragments and inline fragments without counting them as levels', () => {
    const doc = `query { a { ...F } } fragment F on T { b { ... on T { c { d } } } }`;
    expect(check(doc, { maxDepth: 4 })).toBeUndefined();
    expect(check(doc, { maxDepth: 3 })).toMatchObject({ limit: 'maxDepth', value: 4 });
  });

  it('survives fragment cycles and unknown fragments (validation rejects them later)', () => {
    const doc = `{ a { ...A } } fragment A on T { b { ...B ...Missing } } fragment B on T { c { ...A } }`;
    expect(check(doc, { maxDepth: 3 })).toBeUndefined();
    expect(check(doc, { maxDepth: 2 })).toMatchObject({ limit: 'maxDepth', value: 3 });
  });

  it('stays linear on a fragment fan-out (each fragment measured once)', () => {
    const levels = 40;
    const defs = Array.from({ length: levels }, (_, i) => `fragment F${i} on T { x: a { ...F${i + 1} } y: a { ...F${i + 1} } }`).join('\n');
    const doc = `{ ...F0 } ${defs} fragment F${levels} on T { leaf }`;
    const started = performance.now();
    const v = check(doc, { maxDepth: 1_000, maxAliases: 1_000 });
    expect(performance.now() - started).toBeLessThan(200);
    expect(v).toMatchObject({ limit: 'maxAliases' }); // 2^41 - 2 aliases once expanded
  });

  it('admits graphql-js\'s standard introspection query under the default limit (see introspection-limits.test.ts)', () => {
    expect(check(getIntrospectionQuery())).toBeUndefined();
  });

  it('measures only the named operation when one is given', () => {
    const doc = parse(`query Shallow { a } query Deep ${nested(5)}`);
    expect(findOperationLimitViolation(doc, config({ maxDepth: 2 }), { operationName: 'Shallow' })).toBeUndefined();
    expect(findOperationLimitViolation(doc, config({ maxDepth: 2 }), { operationName: 'Deep' })).toMatchObject({ value: 5 });
    expect(findOperationLimitViolation(doc, config({ maxDepth: 2 }))).toMatchObject({ value: 5 });
  });
});

describe('maxAliases', () => {
  // under one root field, so the root-field limit stays out of the way
  const aliases = (n: number) => `{ r { ${Array.from({ length: n }, (_, i) => `x${i}: a`).join(' ')} } }`;

  it('admits 30 aliases and rejects 31 by default', () => {
    expect(check(aliases(30))).toBeUndefined();
    const v = check(aliases(31));
    expect(v).toEqual({ limit: 'maxAliases', value: 31, max: 30 });
    expect(describeViolation(v!)).toBe('Alias count 31 exceeds the limit of 30');
  });

  it('counts a fragment once per spread, nested aliases included', () => {
    const doc = `{ a { ...F } b { ...F } } fragment F on T { p: x q: y { r: z } }`;
    expect(check(doc, { maxAliases: 6 })).toBeUndefined();
    expect(check(doc, { maxAliases: 5 })).toMatchObject({ limit: 'maxAliases', value: 6 });
  });
});

describe('maxRootFields', () => {
  const roots = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `f${i}`).join(' ')} }`;

  it('admits 20 root fields and rejects 21 by default', () => {
    expect(check(roots(20))).toBeUndefined();
    const v = check(roots(21));
    expect(v).toEqual({ limit: 'maxRootFields', value: 21, max: 20 });
    expect(describeViolation(v!)).toBe('Root field count 21 exceeds the limit of 20');
  });

  it('counts distinct response keys, through fragments', () => {
    expect(check('{ a a a b }', { maxRootFields: 2 })).toBeUndefined();
    expect(check('{ x: a y: a }', { maxRootFields: 1 })).toMatchObject({ limit: 'maxRootFields', value: 2 });
    const doc = '{ a ...F ... on Query { c } } fragment F on Query { b a }';
    expect(check(doc, { maxRootFields: 3 })).toBeUndefined();
    expect(check(doc, { maxRootFields: 2 })).toMatchObject({ value: 3 });
  });
});

describe('the validation rule', () => {
  const schema = buildSchema('type Query { a: A } type A { a: A, b: Int }');

  it('reports the first violation as OPERATION_LIMIT_EXCEEDED and nothing within limits', () => {
    const rule = operationLimitsRule(config({ maxDepth: 3 }));
    expect(validate(schema, parse('{ a { a { b } } }'), [...specifiedRules, rule])).toEqual([]);
    const errors = validate(schema, parse('{ a { a { a { b } } } }'), [...specifiedRules, rule]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe('Query depth 4 exceeds the limit of 3');
    expect(errors[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxDepth', value: 4, max: 3, http: { status: 400 } });
  });
});
