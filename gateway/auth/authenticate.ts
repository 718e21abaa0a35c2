import type { IncomingHttpHeaders } from 'node:http';
import { ANONYMOUS, type Principal } from '../context/principal.ts';
import { UnauthenticatedError } from '../errors/gateway-error.ts';
import { createApiKeyStore } from './api-keys.ts';
import type { AuthConfig } from './config.ts';
import { createJwtVerifier, type JwtVerifierOptions } from './jwt-verifier.ts';

export type Authenticate = (headers: IncomingHttpHeaders) => Promise<Principal>;

/** `Bearer <token>`: scheme case-insensitive (RFC 9110 §11.1), token in b64token syntax (RFC 6750 §2.1). */
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * Who is calling, from the request headers. Built once at start-up.
 *
 * - `Authorization: Bearer <JWT>` → a user, verified against the JWKS (and the dev key).
 * - `X-API-Key: <key>` → an API consumer.
 * - neither → anonymous (whether that is enough is the access policy's call).
 *
 * When both are sent, the JWT decides and the API key is ignored: the bearer token names
 * an end user, which is the more specific identity (a partner app calling on behalf of a
 * user), and an invalid token is refused rather than falling back to the key, so a caller
 * can never downgrade a failed user login into partner access.
 *
 * Credentials that are present but wrong always fail (401), even where anonymous access
 * would be allowed: a client with a broken token should learn it, not silently get less.
 * Any other Authorization scheme (Basic, …) or a malformed header is `malformed_token`.
 */
export function createAuthenticator(config: AuthConfig, options: JwtVerifierOptions = {}): Authenticate {
  const jwt = createJwtVerifier(config, options);
  const apiKeys = createApiKeyStore(config.apiKeys);

  return async (headers) => {
    const authorization = single(headers.authorization, 'Authorization');
    if (authorization !== undefined) {
      const match = BEARER.exec(authorization);
      if (!match?.[1]) {
        throw new UnauthenticatedError('malformed_token', 'Authorization header must be "Bearer <token>"');
      }
      return jwt.verify(match[1]);
    }
    const apiKey = single(headers['x-api-key'], 'X-API-Key');
    if (apiKey !== undefined) return apiKeys.authenticate(apiKey.trim());
    return ANONYMOUS;
  };
}

/** One header value; repeated credentials are ambiguous and refused. */
function single(value: string | string[] | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 1) return value[0];
    throw new UnauthenticatedError(name === 'X-API-Key' ? 'invalid_api_key' : 'malformed_token', `${name} header sent more than once`, {
      scheme: name === 'X-API-Key' ? 'ApiKey' : 'Bearer',
    });
  }
  return value;
}
