import { parseList } from 'structured-headers';

/**
 * Reads the draft-11 rate-limit fields the way a client would: as RFC 9651 Structured
 * Field Lists (an independent parser, so a syntax error fails the test), each item a
 * String naming a policy with Integer parameters.
 */
export type PolicyParams = Record<string, number>;

/** `RateLimit-Policy` or `RateLimit`, by policy name in list order; throws if the field is not a List of String items with Integer parameters. */
export function parseRateLimitField(value: string | null | undefined): Map<string, PolicyParams> {
  if (value === null || value === undefined) throw new Error('field absent');
  const policies = new Map<string, PolicyParams>();
  for (const member of parseList(value)) {
    const [name, params] = member;
    if (typeof name !== 'string') throw new Error(`policy name is not a String: ${value}`);
    const out: PolicyParams = {};
    for (const [key, param] of params) {
      if (typeof param !== 'number' || !Number.isInteger(param)) throw new Error(`parameter ${key} is not an Integer: ${value}`);
      out[key] = param;
    }
    policies.set(name, out);
  }
  return policies;
}

/** Both fields of a response, from a headers record or a fetch `Headers`. */
export function rateLimitFields(headers: Readonly<Record<string, string>> | Headers): {
  policy: Map<string, PolicyParams>;
  limit: Map<string, PolicyParams>;
} {
  const get = (name: string): string | undefined => (headers instanceof Headers ? (headers.get(name) ?? undefined) : headers[name]);
  return { policy: parseRateLimitField(get('ratelimit-policy')), limit: parseRateLimitField(get('ratelimit')) };
}
