import type { JWTPayload } from 'jose';
import type { UserPrincipal } from '../context/principal.ts';
import { UnauthenticatedError } from '../errors/gateway-error.ts';

/** Tier of a user whose token has no `tier` claim. */
export const DEFAULT_USER_TIER = 'standard';

const MAX_SUBJECT = 256;
const MAX_ENTRIES = 256;

/**
 * Verified claims → the user principal. Scopes come from `scope` (OAuth 2: one
 * space-separated string) or `scp` (an array, as Azure AD and Okta send it), roles from a
 * `roles` array, the rate-limit tier from `tier`. A claim of the wrong type fails the token
 * (`invalid_claim`) rather than being dropped: a silently empty scope list would turn an
 * IdP misconfiguration into confusing 403s.
 */
export function principalFromClaims(payload: JWTPayload): UserPrincipal {
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUBJECT) {
    throw invalidClaim('sub', `"sub" must be a non-empty string of at most ${MAX_SUBJECT} characters`);
  }
  const tier = payload.tier ?? DEFAULT_USER_TIER;
  if (typeof tier !== 'string' || tier.length === 0 || tier.length > 64) throw invalidClaim('tier', '"tier" must be a short string');

  return Object.freeze({
    kind: 'user',
    subject: sub,
    scopes: Object.freeze(scopesOf(payload)),
    roles: Object.freeze(stringList(payload.roles, 'roles') ?? []),
    tier,
    ...(typeof payload.iss === 'string' ? { issuer: payload.iss } : {}),
    claims: deepFreeze(structuredClone(payload)),
  });
}

function scopesOf(payload: JWTPayload): string[] {
  const { scope, scp } = payload;
  if (scope !== undefined && typeof scope !== 'string') throw invalidClaim('scope', '"scope" must be a space-separated string');
  const fromScope = scope === undefined ? [] : words(scope);
  const fromScp = typeof scp === 'string' ? words(scp) : (stringList(scp, 'scp') ?? []);
  const all = [...new Set([...fromScope, ...fromScp])];
  if (all.length > MAX_ENTRIES) throw invalidClaim('scope', `at most ${MAX_ENTRIES} scopes`);
  return all;
}

function words(value: string): string[] {
  return value.split(/\s+/).filter((w) => w.length > 0);
}

function stringList(value: unknown, claim: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_ENTRIES || !value.every((v): v is string => typeof v === 'string')) {
    throw invalidClaim(claim, `"${claim}" must be an array of at most ${MAX_ENTRIES} strings`);
  }
  return [...new Set(value)];
}

function invalidClaim(claim: string, message: string): UnauthenticatedError {
  return new UnauthenticatedError('invalid_claim', `Invalid token: ${message}`, { claim });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
