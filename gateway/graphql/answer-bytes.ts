/**
 * The UTF-8 bytes of an answer, for the socket. Encoding is most of what writing a large
 * answer costs, and the same answer text is often written again and again: to every
 * client of one shared execution (`engine.dedup.inboundOperations`), or to clients asking
 * the same public thing. So the bytes of the last few large answers are kept by their text.
 * (V8 hashes a long string by its length, so a lookup costs a length check and, for a text
 * of the same length, a comparison that stops at the first difference: less than encoding.)
 */
const LARGE = 4096;
const KEPT = 16;
const recent = new Map<string, Buffer>();

export function answerBytes(text: string): Buffer {
  if (text.length < LARGE) return Buffer.from(text);
  let bytes = recent.get(text);
  if (bytes) return bytes;
  bytes = Buffer.from(text);
  if (recent.size >= KEPT) {
    const oldest = recent.keys().next();
    if (!oldest.done) recent.delete(oldest.value);
  }
  recent.set(text, bytes);
  return bytes;
}
