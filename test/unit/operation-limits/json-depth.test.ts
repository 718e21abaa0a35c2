import { describe, expect, it } from 'vitest';
import { findJsonDepthViolation, jsonDepthOf } from '../../../gateway/graphql/operation-limits/index.ts';

describe('jsonDepthOf', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['{"a":[1,{"b":[]}]}', 4],
    ['{"query":"{ a { b { c } } }"}', 1],
    ['{"s":"[[[[\\"]]]]"}', 1],
    ['[[],[[]],[]]', 3],
  ])('%s nests %i deep (brackets inside strings do not count)', (text, depth) => {
    expect(jsonDepthOf(text)).toBe(depth);
  });

  it('stops counting one past the limit', () => {
    expect(jsonDepthOf('['.repeat(100_000), 10)).toBe(11);
  });

  it('admits a request at maxJsonDepth and refuses one past it', () => {
    const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(findJsonDepthViolation(nested(64), { maxJsonDepth: 64 })).toBeUndefined();
    expect(findJsonDepthViolation(nested(65), { maxJsonDepth: 64 })).toEqual({ limit: 'maxJsonDepth', value: 65, max: 64 });
  });
});
