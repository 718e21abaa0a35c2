import { Lexer, parse, Source, TokenKind, type DocumentNode } from 'graphql';
import type { OperationLimitsConfig } from './config.ts';
import { toOperationLimitError, type OperationLimitViolation } from './violation.ts';

/**
 * Limits checked on the document text, before any parsing: the byte size, then the token
 * count. The token count lexes at most `maxTokens + 1` tokens of a text already bounded
 * by `maxDocumentBytes`, so a huge or token-stuffed document costs little to refuse.
 */
export function findSourceViolation(
  source: string,
  limits: Pick<OperationLimitsConfig, 'maxDocumentBytes' | 'maxTokens'>,
): OperationLimitViolation | undefined {
  // A UTF-8 byte is at most one UTF-16 unit, so only a long enough string needs counting.
  if (source.length > limits.maxDocumentBytes / 3) {
    const bytes = Buffer.byteLength(source, 'utf8');
    if (bytes > limits.maxDocumentBytes) return { limit: 'maxDocumentBytes', value: bytes, max: limits.maxDocumentBytes };
  }
  const tokens = countTokens(source, limits.maxTokens + 1);
  if (tokens > limits.maxTokens) return { limit: 'maxTokens', value: tokens, max: limits.maxTokens };
  return undefined;
}

/**
 * Tokens as graphql's parser counts them for its `maxTokens` option (punctuators, names,
 * values; not comments, commas or `<EOF>`), stopping once `stopAt` is reached. A lexing
 * error ends the count early: the parser will report it with a proper location.
 */
export function countTokens(source: string, stopAt = Number.POSITIVE_INFINITY): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (count < stopAt && lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    // syntax error: not ours to report
  }
  return count;
}

/**
 * Source limits, then `parse` with graphql's own `maxTokens` as a backstop. Throws
 * OperationLimitError for a limit, graphql's GraphQLError for a syntax error.
 */
export function parseWithLimits(source: string, limits: Pick<OperationLimitsConfig, 'maxDocumentBytes' | 'maxTokens'>): DocumentNode {
  const violation = findSourceViolation(source, limits);
  if (violation) throw toOperationLimitError(violation);
  return parse(source, { maxTokens: limits.maxTokens });
}
