import type { Principal } from '../context/principal.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors/gateway-error.ts';

/**
 * What a door or route requires of its caller. Doors take theirs from `auth.doors`; REST
 * routes may set their own (per-route field added with the route table).
 */
export type AccessRequirement =
  /** Anyone, with or without credentials (credentials presented are still verified). */
  | { readonly kind: 'anonymous' }
  /** Any verified user or API consumer. */
  | { readonly kind: 'authenticated' }
  /** Any one of the sets, each needed in full: `[['orders:read'], ['admin:all']]`. */
  | { readonly kind: 'scopes'; readonly anyOf: ReadonlyArray<readonly string[]> }
  /** Any one of the roles. */
  | { readonly kind: 'roles'; readonly anyOf: readonly string[] };

/**
 * Throws unless `principal` meets `requirement`: `UnauthenticatedError`
 * (`missing_credentials`) for an anonymous caller where credentials are needed,
 * `ForbiddenError` for a known caller without the scope or role.
 *
 * `routeName` is the REST route being called: an API key is scoped to its routes and is
 * refused on any other, whatever the requirement (a key is a credential for named routes,
 * not a general pass).
 */
export function authorize(principal: Principal, requirement: AccessRequirement, routeName?: string): void {
  if (routeName !== undefined && principal.kind === 'consumer') {
    // Fail closed: a consumer without a route list is allowed on no named route.
    const routes = principal.routes ?? [];
    if (!routes.includes('*') && !routes.includes(routeName)) {
      throw new ForbiddenError({ reason: 'route_not_allowed', route: routeName });
    }
  }

  switch (requirement.kind) {
    case 'anonymous':
      return;
    case 'authenticated':
      requireCredentials(principal);
      return;
    case 'scopes': {
      const held = requireCredentials(principal).scopes;
      if (!requirement.anyOf.some((set) => set.every((scope) => held.includes(scope)))) {
        throw new ForbiddenError({ reason: 'insufficient_scope', requiredScopes: requirement.anyOf });
      }
      return;
    }
    case 'roles': {
      const held = requireCredentials(principal).roles;
      if (!requirement.anyOf.some((role) => held.includes(role))) {
        throw new ForbiddenError({ reason: 'missing_role', requiredRoles: requirement.anyOf });
      }
      return;
    }
    default:
      throw new UnreachableRequirement(requirement);
  }
}

/** A principal that presented credentials, or a 401. */
function requireCredentials(principal: Principal): Exclude<Principal, { kind: 'anonymous' }> {
  if (principal.kind === 'anonymous') {
    throw new UnauthenticatedError('missing_credentials', 'Authentication required: send a Bearer token or an API key');
  }
  return principal;
}

/** Compile-time exhaustiveness: adding a requirement kind without handling it fails `tsc`. */
class UnreachableRequirement extends Error {
  constructor(value: never) {
    super(`unknown access requirement ${JSON.stringify(value)}`);
    this.name = 'UnreachableRequirement';
  }
}
