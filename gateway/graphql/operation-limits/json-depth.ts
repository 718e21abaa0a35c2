import type { OperationLimitsConfig } from './config.ts';
import type { OperationLimitViolation } from './violation.ts';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * How deep JSON text nests (`[` and `{` outside strings), counted on the text before it is
 * parsed, and only up to `stopAbove + 1`. JSON.parse itself copes with any depth, but what
 * walks the value afterwards recurses: 5,000 nested arrays in `variables` overflowed the
 * stack of the cost estimate's key (a 500). Text that is not JSON just gets a number; the
 * parser reports it.
 */
export function jsonDepthOf(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return deepest;
}

/** The request's JSON (a POST body, a GET's `variables` or `extensions`) nests deeper than `maxJsonDepth`. */
export function findJsonDepthViolation(text: string, limits: Pick<OperationLimitsConfig, 'maxJsonDepth'>): OperationLimitViolation | undefined {
  const depth = jsonDepthOf(text, limits.maxJsonDepth);
  return depth > limits.maxJsonDepth ? { limit: 'maxJsonDepth', value: depth, max: limits.maxJsonDepth } : undefined;
}
