import { describe, expect, it } from 'vitest';
import { getIntrospectionQuery, parse } from 'graphql';
import { OperationLimitError } from '../../../gateway/errors/gateway-error.ts';
import { operationLimitsConfigSchema } from '../../../gateway/graphql/operation-limits/config.ts';
import { countTokens, findSourceViolation, parseWithLimits } from '../../../gateway/graphql/operation-limits/source.ts';

const limits = (over: Partial<{ maxDocumentBytes: number; maxTokens: number }> = {}) =>
  operationLimitsConfigSchema.parse({ maxDocumentBytes: 100, maxTokens: 10, ...over });

/** `{ f1 f2 … fn }`: n + 2 tokens. */
const fields = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `f${i}`).join(' ')} }`;

describe('maxDocumentBytes', () => {
  it('admits a document of exactly the limit and rejects one byte more, counting UTF-8 bytes', () => {
    const at = `{ a } #${'é'.repeat(46)} `; // 7 + 46 × 2 + 1 bytes, but only 54 characters
    expect(Buffer.byteLength(at)).toBe(100);
    expect(findSourceViolation(at, limits())).toBeUndefined();
    expect(findSourceViolation(`${at} `, limits())).toEqual({ limit: 'maxDocumentBytes', value: 101, max: 100 });
  });
});

describe('maxTokens', () => {
  it('admits exactly maxTokens tokens and rejects one more, as graphql.parse counts them', () => {
    expect(countTokens(fields(8))).toBe(10);
    expect(findSourceViolation(fields(8), limits())).toBeUndefined();
    expect(() => parse(fields(8), { maxTokens: 10 })).not.toThrow();
    expect(findSourceViolation(fields(9), limits())).toEqual({ limit: 'maxTokens', value: 11, max: 10 });
    expect(() => parse(fields(9), { maxTokens: 10 })).toThrow(/more that 10 tokens/);
  });

  it('does not count comments, commas or whitespace, and stops counting past the limit', () => {
    expect(countTokens('# hello\n{ a, b,,, c }\n# bye')).toBe(5);
    expect(countTokens(fields(10_000), 101)).toBe(101);
  });

  it('leaves syntax errors to the parser', () => {
    expect(countTokens('{ a "unterminated')).toBe(2);
    expect(findSourceViolation('{ a "unterminated', limits())).toBeUndefined();
  });

  it('lets the standard introspection query through the defaults', () => {
    const defaults = operationLimitsConfigSchema.parse({});
    expect(findSourceViolation(getIntrospectionQuery(), defaults)).toBeUndefined();
  });
});

describe('parseWithLimits', () => {
  it('parses within limits and throws OperationLimitError naming the limit otherwise', () => {
    expect(parseWithLimits('{ a }', limits()).definitions).toHaveLength(1);
    try {
      parseWithLimits(fields(20), limits({ maxDocumentBytes: 1_000 }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OperationLimitError);
      const e = error as OperationLimitError;
      expect(e.code).toBe('OPERATION_LIMIT_EXCEEDED');
      expect(e.status).toBe(400);
      expect(e.extensions).toEqual({ limit: 'maxTokens', value: 11, max: 10 });
      expect(e.message).toBe('Document token count exceeds the limit of 10');
    }
  });
});
