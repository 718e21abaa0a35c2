import { DEV_SECRET, KEY_ID_PATTERN, MIN_SECRET_LENGTH } from './protocol.ts';

/**
 * `IDENTITY_SIGNING_KEYS` as an environment variable holds it, for the gateway and the
 * upstreams alike: `<key id>:<secret>` pairs separated by commas, e.g.
 * `k2:9f…,k1:3c…` (a secret may hold `:` but not `,`; `openssl rand -base64 48` makes one).
 */
export function parseKeyList(text: string): { keys: Record<string, string>; problems: string[] } {
  const keys: Record<string, string> = {};
  const problems: string[] = [];
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  if (entries.length === 0) problems.push('no keys: expected "<key id>:<secret>[,<key id>:<secret>…]"');
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push(`entry ${i + 1} is not "<key id>:<secret>"`);
      return;
    }
    const id = entry.slice(0, colon);
    const secret = entry.slice(colon + 1);
    const problem = keyProblem(id, secret);
    if (problem) problems.push(`entry ${i + 1}: ${problem}`);
    else if (Object.hasOwn(keys, id)) problems.push(`key id "${id}" is listed twice`);
    else keys[id] = secret;
  });
  return { keys, problems };
}

/** Why a key id or secret is refused, or undefined. Messages never include the secret. */
export function keyProblem(id: string, secret: string): string | undefined {
  if (!KEY_ID_PATTERN.test(id)) return `key id "${id.slice(0, 64)}" must be 1-64 letters, digits, dot, dash or underscore`;
  if (secret.length < MIN_SECRET_LENGTH) return `the secret of key "${id}" is shorter than ${MIN_SECRET_LENGTH} characters`;
  return undefined;
}

/** Key ids whose secret is the public dev secret (refused in production). */
export function devKeyIds(keys: Readonly<Record<string, string>>): string[] {
  return Object.entries(keys).flatMap(([id, secret]) => (secret === DEV_SECRET ? [id] : []));
}
