import { jwtVerify, type JWTVerifyOptions } from 'jose';
import { ConfigError } from '../config/load.ts';
import type { UserPrincipal } from '../context/principal.ts';
import { UnauthenticatedError } from '../errors/gateway-error.ts';
import { principalFromClaims } from './claims.ts';
import type { AuthConfig } from './config.ts';
import { loadDevIdentity } from './dev-identity.ts';
import { fileKeySource } from './jwks-file.ts';
import { remoteKeySource } from './jwks-remote.ts';
import { toAuthError } from './jwt-errors.ts';
import { selectKeySource, staticKeySource, type KeyResolver } from './key-source.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

export interface JwtVerifier {
  /** The user the token proves, or an `UnauthenticatedError` saying why not. */
  verify(token: string): Promise<UserPrincipal>;
}

export interface JwtVerifierOptions {
  /** Dev identity file (tests); default `node_modules/.cache/bff-gateway/dev-identity.json`. */
  devKeyFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Epoch ms, for the token cache and jose's `exp`/`nbf` checks alike (tests). Default the real clock. */
  now?: () => number;
}

/** Headers and payloads of real tokens are far below this; bigger input is not parsed. */
const MAX_TOKEN_CHARS = 16 * 1024;
/** Compact JWS: three base64url parts (an empty signature is left to jose, to report `alg: none` as such). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Built once at start-up: the key sources and jose options are fixed here, so `verify`
 * does no option handling. A bad `auth.jwks.file` or dev keys in production stop start-up.
 *
 * Checks (all by jose): signature against the key set, `alg` on the allow-list (before
 * any key lookup, so a disallowed token never triggers a JWKS fetch), `iss`, `aud`,
 * `exp` and `nbf` within `clockToleranceSec`, `exp` and `sub` present. A token that passed
 * is remembered (`tokenCache`) until its `exp`, so a session's bearer is verified once.
 */
export function createJwtVerifier(config: AuthConfig, options: JwtVerifierOptions = {}): JwtVerifier {
  const env = options.env ?? process.env;
  const resolveKey = buildKeySource(config, options.devKeyFile, env);
  const verifyOptions: JWTVerifyOptions = Object.freeze({
    issuer: typeof config.issuer === 'string' ? config.issuer : [...config.issuer],
    audience: typeof config.audience === 'string' ? config.audience : [...config.audience],
    algorithms: [...config.algorithms],
    clockTolerance: config.clockToleranceSec,
    requiredClaims: ['exp', 'sub'],
  });
  const cache = new VerifiedTokenCache({
    maxEntries: config.tokenCache.maxEntries,
    maxAgeMs: Math.min(config.tokenCache.maxAgeMs, config.jwks.cacheMaxAgeMs),
    ...(options.now ? { now: options.now } : {}),
  });
  const now = options.now;

  return Object.freeze({
    async verify(token: string): Promise<UserPrincipal> {
      if (token.length > MAX_TOKEN_CHARS || !COMPACT_JWS.test(token)) {
        throw new UnauthenticatedError('malformed_token', 'Token is not a JWT');
      }
      const cached = cache.get(token);
      if (cached) return cached;
      try {
        const { payload } = await jwtVerify(token, resolveKey, now ? { ...verifyOptions, currentDate: new Date(now()) } : verifyOptions);
        const principal = principalFromClaims(payload);
        // requiredClaims makes jose refuse a token without a numeric exp.
        if (typeof payload.exp === 'number') cache.set(token, principal, payload.exp);
        return principal;
      } catch (error) {
        throw toAuthError(error);
      }
    },
  });
}

function buildKeySource(config: AuthConfig, devKeyFile: string | undefined, env: NodeJS.ProcessEnv): KeyResolver {
  const { jwks } = config;
  let configured: KeyResolver | undefined;
  if (jwks.url !== undefined) {
    configured = remoteKeySource({
      url: jwks.url,
      cooldownMs: jwks.cooldownMs,
      cacheMaxAgeMs: jwks.cacheMaxAgeMs,
      timeoutMs: jwks.timeoutMs,
      failureBackoffMs: jwks.failureBackoffMs,
    });
  } else if (jwks.file !== undefined) {
    try {
      configured = fileKeySource({ file: jwks.file, cooldownMs: jwks.cooldownMs, cacheMaxAgeMs: jwks.cacheMaxAgeMs });
    } catch (error) {
      throw new ConfigError([`auth.jwks.file: ${(error as Error).message}`]);
    }
  }

  if (!config.devKeys) return selectKeySource(configured, undefined);
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(['auth.devKeys: the dev identity provider is refused when NODE_ENV=production; set it to false and configure auth.jwks']);
  }
  const dev = loadDevIdentity(devKeyFile);
  return selectKeySource(configured, { kid: dev.kid, resolve: staticKeySource(dev.jwks()) });
}
