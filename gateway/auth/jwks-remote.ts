import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  jwksCache,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWKSCacheInput,
} from 'jose';
import { request } from 'undici';
import { isKeyMatchError, KeySetUnavailable, type KeyResolver } from './key-source.ts';

export interface RemoteKeySourceOptions {
  url: string;
  /** Minimum time between refetches caused by an unknown `kid` (jose `cooldownDuration`). */
  cooldownMs: number;
  /** Keys older than this are refetched before use (jose `cacheMaxAge`). */
  cacheMaxAgeMs: number;
  /** Timeout of one fetch (jose `timeoutDuration`). */
  timeoutMs: number;
  /** After a failed fetch, no new fetch for this long. */
  failureBackoffMs: number;
}

/** A JWKS is small; anything bigger is not one. */
const MAX_JWKS_BYTES = 512 * 1024;

/**
 * A remote JWKS on jose's `createRemoteJWKSet`, which caches the set, refetches it after
 * `cacheMaxAgeMs`, refetches on an unknown `kid` at most once per `cooldownMs` (counted
 * from the last *successful* fetch) and shares one in-flight fetch between concurrent
 * requests. Two things are added around it, both for when the IdP is down:
 *
 * - stale-if-error: keys fetched before keep verifying when a refresh fails, so an IdP
 *   outage does not log everybody out; only tokens with a kid we never saw fail
 *   (`jwks_unavailable`). The price: a key removed from the IdP during an outage is
 *   trusted until the IdP answers again.
 * - failure backoff: after a failed fetch, further fetches fail fast for
 *   `failureBackoffMs` (jose's cooldown only starts after a success, so without this
 *   every unknown-kid token would make a fetch while the IdP is down).
 */
export function remoteKeySource(options: RemoteKeySourceOptions): KeyResolver {
  const { url, cooldownMs, cacheMaxAgeMs, timeoutMs, failureBackoffMs } = options;
  let lastFailureAt = Number.NEGATIVE_INFINITY;

  const guardedFetch: FetchImplementation = async (href, init) => {
    if (Date.now() - lastFailureAt < failureBackoffMs) {
      throw new KeySetUnavailable('JWKS endpoint failed recently; not retrying yet');
    }
    try {
      return await fetchJwks(href, init);
    } catch (error) {
      lastFailureAt = Date.now();
      throw error;
    }
  };

  // jose writes the last good set here on every successful fetch; it is our stale copy.
  const cache: { uat?: number; jwks?: JSONWebKeySet } = {};
  const remote = createRemoteJWKSet(new URL(url), {
    cooldownDuration: cooldownMs,
    cacheMaxAge: cacheMaxAgeMs,
    timeoutDuration: timeoutMs,
    [customFetch]: guardedFetch,
    [jwksCache]: cache as JWKSCacheInput,
  });

  let staleOf: JSONWebKeySet | undefined;
  let staleSet: ReturnType<typeof createLocalJWKSet> | undefined;
  const stale = (): ReturnType<typeof createLocalJWKSet> | undefined => {
    if (cache.jwks === undefined) return undefined;
    if (staleOf !== cache.jwks) {
      staleOf = cache.jwks;
      staleSet = createLocalJWKSet(cache.jwks);
    }
    return staleSet;
  };

  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (isKeyMatchError(error)) throw error;
      const fallback = stale();
      if (!fallback) throw new KeySetUnavailable('JWKS could not be fetched', { cause: error });
      try {
        return await fallback(header, token);
      } catch (staleError) {
        if (staleError instanceof errors.JWKSNoMatchingKey) {
          throw new KeySetUnavailable('JWKS could not be fetched and no cached key matches the token', { cause: error });
        }
        throw staleError;
      }
    }
  };
}

/**
 * One fetch, validated here (status, size, JSON, shape) so that every kind of failure
 * goes through the backoff above, then handed to jose as a clean response. Over the
 * gateway's own undici (not Node's bundled fetch): one HTTP client in the process, and
 * the body is read with a byte cap instead of whole.
 */
async function fetchJwks(href: string, init: Parameters<FetchImplementation>[1]): Promise<Response> {
  const response = await request(href, {
    method: 'GET',
    headers: Object.fromEntries(init.headers),
    // Redirects are not followed (undici.request never does), as jose asks with `redirect: 'manual'`.
    signal: init.signal,
  });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new KeySetUnavailable(`JWKS endpoint answered HTTP ${response.statusCode}`);
  }
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > MAX_JWKS_BYTES) {
    response.body.destroy();
    throw new KeySetUnavailable('JWKS response is too large');
  }
  let text = '';
  for await (const chunk of response.body) {
    text += String(chunk);
    if (text.length > MAX_JWKS_BYTES) {
      response.body.destroy();
      throw new KeySetUnavailable('JWKS response is too large');
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new KeySetUnavailable('JWKS response is not JSON', { cause });
  }
  const keys = (json as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) {
    throw new KeySetUnavailable('JWKS response has no "keys" array of objects');
  }
  return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
}
