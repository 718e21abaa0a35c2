import { describe, expect, it } from 'vitest';
import { boundMessage, MAX_MESSAGE_CHARS, quoteClientText } from '../../../gateway/errors/client-text.ts';
import { NotFoundError } from '../../../gateway/errors/gateway-error.ts';

describe('client text in error messages', () => {
  it('quotes short text whole, control characters escaped', () => {
    expect(quoteClientText('Query')).toBe('"Query"');
    expect(quoteClientText('A\u0000B')).toBe('"A\\u0000B"');
  });

  it('cuts long text and says how long it was', () => {
    expect(quoteClientText('x'.repeat(100_000))).toBe(`"${'x'.repeat(64)}"… (100000 characters)`);
    expect(quoteClientText('abcdef', 3)).toBe('"abc"… (6 characters)');
  });

  it('never cuts a surrogate pair in half', () => {
    const quoted = quoteClientText(`${'a'.repeat(63)}😀😀`);
    expect(quoted).toBe(`"${'a'.repeat(63)}"… (67 characters)`);
    expect(boundMessage(`${'a'.repeat(MAX_MESSAGE_CHARS - 2)}😀😀`)).toBe(`${'a'.repeat(MAX_MESSAGE_CHARS - 2)}…`);
  });

  it('bounds whole messages, and every gateway error message', () => {
    expect(boundMessage('short')).toBe('short');
    expect(boundMessage('m'.repeat(5000))).toHaveLength(MAX_MESSAGE_CHARS);
    expect(new NotFoundError(`/${'p'.repeat(20_000)}`).message.length).toBeLessThan(400);
  });
});
