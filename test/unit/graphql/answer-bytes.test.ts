import { describe, expect, it } from 'vitest';
import { answerBytes } from '../../../gateway/graphql/answer-bytes.ts';

describe('answerBytes', () => {
  const large = (tag: string): string => JSON.stringify({ data: { tag, items: Array.from({ length: 400 }, (_, i) => ({ i, name: `Ünïcode ✓ ${tag}` })) } });

  it('is the UTF-8 encoding of the text, small or large, non-ASCII included', () => {
    for (const text of ['{"data":{"a":"é"}}', large('a')]) expect(answerBytes(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('encodes a large answer written again once: the same bytes come back', () => {
    const text = large('again');
    const first = answerBytes(text);
    expect(answerBytes(text)).toBe(first);
    // An equal text built separately (another request's identical answer) finds them too.
    expect(answerBytes(large('again'))).toBe(first);
  });

  it('keeps only the last few: an old answer is encoded anew, still correctly', () => {
    const old = large('old');
    const kept = answerBytes(old);
    for (let i = 0; i < 40; i++) answerBytes(large(`filler-${i}`));
    const again = answerBytes(old);
    expect(again).not.toBe(kept);
    expect(again.equals(kept)).toBe(true);
  });
});
