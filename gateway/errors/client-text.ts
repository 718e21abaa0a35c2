/**
 * Client text inside error messages. A message that echoes what the client sent (an
 * operation name, a path, a header, a variable's value) must not grow with it: a 100 KB
 * `operationName` once came back whole in its own error. Echoes are cut short and quoted
 * with their control characters escaped (a NUL stays visible as `\u0000` and cannot end a
 * C string in a log pipeline); whole messages are bounded too, as a last line.
 */

/** Characters of client text an error message quotes; the rest is summarised by its length. */
export const MAX_ECHOED_CHARS = 64;

/**
 * Longest error message sent to a client. graphql-js and Apollo quote client text in their
 * own messages (field names, variable values: `Variable "$s" got invalid value "…"` quotes
 * the value twice), which only a bound on the whole message can hold.
 */
export const MAX_MESSAGE_CHARS = 1024;

/** `text` as a JSON string literal, cut after `max` characters with its full length noted. */
export function quoteClientText(text: string, max = MAX_ECHOED_CHARS): string {
  if (text.length <= max) return JSON.stringify(text);
  // Never cut a surrogate pair in half: the quoted text stays valid UTF-16.
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${JSON.stringify(text.slice(0, end))}… (${text.length} characters)`;
}

/** A message cut to `max` characters (with `…`), for messages built from client text by code we do not own. */
export function boundMessage(message: string, max = MAX_MESSAGE_CHARS): string {
  if (message.length <= max) return message;
  const end = isHighSurrogate(message.charCodeAt(max - 2)) ? max - 2 : max - 1;
  return `${message.slice(0, end)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
