/** Who is calling, once verified at the edge. `anonymous` until an authenticator says otherwise. */
export type Principal =
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'user';
      readonly subject: string;
      readonly scopes: readonly string[];
      readonly roles: readonly string[];
      readonly tier: string;
    }
  | {
      readonly kind: 'consumer';
      readonly consumer: string;
      readonly scopes: readonly string[];
      readonly roles: readonly string[];
      readonly tier: string;
    };

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });
