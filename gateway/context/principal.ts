/** Nobody in particular: no credentials were presented. */
export interface AnonymousPrincipal {
  readonly kind: 'anonymous';
}

/** An end user, from a verified JWT. */
export interface UserPrincipal {
  readonly kind: 'user';
  /** The token's `sub`. */
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  readonly tier: string;
  /** The token's `iss` (which of the trusted issuers vouched for the user). */
  readonly issuer?: string;
  /** Every verified claim, frozen, for resolvers that need one the gateway does not model. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A partner system, from an API key. */
export interface ConsumerPrincipal {
  readonly kind: 'consumer';
  readonly consumer: string;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  readonly tier: string;
  /** The configured id of the key used (never the key): for logs and audit. */
  readonly apiKeyId?: string;
  /**
   * REST routes this consumer may call (route names, or `'*'`). Access policy fails closed:
   * a consumer without `routes` is allowed on no named route.
   */
  readonly routes?: readonly string[];
}

/** Who is calling, once verified at the edge. `anonymous` until an authenticator says otherwise. */
export type Principal = AnonymousPrincipal | UserPrincipal | ConsumerPrincipal;

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });
