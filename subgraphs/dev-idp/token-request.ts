import { z } from 'zod';
import { tierNames } from '../../gateway/rate-limit/config.ts';

/**
 * What `POST /token` accepts, as JSON (`{"sub":"u1","tier":"premium","roles":["admin"],
 * "scopes":["users:read:email"],"ttl":600}`) or as a form (`sub=u1&role=admin&scope=…`,
 * what `curl -d` sends; `role` and `scope` repeat, a `scope` may hold several words).
 * Unknown keys are refused by name, as the gateway's config does, so a typo is not a
 * token silently missing a claim.
 */

/** A role or scope as it lands in the token: printable ASCII, no spaces (a scope claim is space-separated). */
const claimWord = z.string().regex(/^[\x21-\x7e]{1,128}$/, '1-128 printable characters, no spaces');

export const tokenRequestSchema = z.strictObject({
  /** The user id (`sub`); the gateway takes at most 256 characters. */
  sub: z.string().min(1).max(256),
  /** Rate-limit tier claim; absent, the gateway assumes `standard`. */
  tier: z.enum(tierNames).exclude(['anonymous']).optional(),
  roles: z.array(claimWord).max(32).default([]),
  scopes: z.array(claimWord).max(64).default([]),
  /** Lifetime in seconds. Default 3600 (one hour), at most a day. */
  ttl: z.number().int().min(1).max(86_400).default(3_600),
});

export type TokenRequest = z.output<typeof tokenRequestSchema>;

/** A request that is not a token request, answered 400 with this message (bounded). */
export class TokenRequestError extends Error {
  readonly code = 'INVALID_TOKEN_REQUEST';
}

const MAX_MESSAGE = 512;

/** Validates a parsed JSON body or form. */
export function parseTokenRequest(input: unknown): TokenRequest {
  const parsed = tokenRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(body)';
    return `${key}: ${issue.message}`;
  });
  const message = problems.join('; ');
  throw new TokenRequestError(message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message);
}

const FORM_LISTS: Readonly<Record<string, 'roles' | 'scopes'>> = { role: 'roles', scope: 'scopes' };

/**
 * A form as the JSON shape: `role`/`scope` (repeatable, words split on spaces) become the
 * lists, `ttl` a number when it is digits; a single-valued key given twice is refused.
 */
export function formToRequest(form: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lists: Record<'roles' | 'scopes', string[]> = { roles: [], scopes: [] };
  for (const [key, value] of form) {
    const list = FORM_LISTS[key];
    if (list) {
      lists[list].push(...value.split(/\s+/).filter((w) => w.length > 0));
      continue;
    }
    if (key === 'roles' || key === 'scopes') throw new TokenRequestError(`${key}: in a form, repeat ${key.slice(0, -1)}=… instead`);
    if (Object.hasOwn(out, key)) throw new TokenRequestError(`${key.slice(0, 32)}: given more than once`);
    out[key] = key === 'ttl' && /^\d{1,9}$/.test(value) ? Number(value) : value;
  }
  if (lists.roles.length > 0) out.roles = lists.roles;
  if (lists.scopes.length > 0) out.scopes = lists.scopes;
  return out;
}
