import type { UserPrincipal } from '../context/principal.ts';

export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered; the least recently used go first. 0 disables the cache. */
  readonly maxEntries: number;
  /** Longest a verification is trusted without redoing it. */
  readonly maxAgeMs: number;
  /** Epoch ms (tests inject one). Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Tokens already verified, remembered until their `exp` or for `maxAgeMs`, whichever is
 * first (as Envoy's jwt_authn cache): a client sends the same bearer token on every request
 * of its session, and verifying an ES256/RS256 signature each time costs more than the
 * rest of the edge. Keyed by the exact token text, so a token that differs in one byte is
 * verified in full; only successes are remembered, so a refused token is refused again.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, { principal: UserPrincipal; until: number }>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(options: VerifiedTokenCacheOptions) {
    this.#maxEntries = options.maxEntries;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string): UserPrincipal | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    this.#entries.delete(token);
    if (entry.until <= this.#now()) return undefined;
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
    this.#entries.set(token, entry);
    return entry.principal;
  }

  /** Remembers a verified token; `expSeconds` is its `exp` claim (no clock tolerance: past it, verify again). */
  set(token: string, principal: UserPrincipal, expSeconds: number): void {
    if (this.#maxEntries === 0) return;
    const now = this.#now();
    const until = Math.min(expSeconds * 1000, now + this.#maxAgeMs);
    if (until <= now) return;
    this.#entries.set(token, { principal, until });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
