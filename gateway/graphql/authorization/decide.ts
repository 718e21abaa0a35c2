import { authorize } from '../../auth/access-policy.ts';
import type { Principal } from '../../context/principal.ts';
import { ForbiddenError, UnauthenticatedError } from '../../errors/gateway-error.ts';
import type { Requirement } from './requirements.ts';

/** Why a caller fails a requirement: anonymous → UNAUTHENTICATED, known but without the scopes → FORBIDDEN. */
export type Refusal = UnauthenticatedError | ForbiddenError;

/**
 * Whether `principal` meets `requirement`, by the access policy every door uses (so
 * `@requiresScopes(scopes: [[a, b], [c]])` is (a AND b) OR c, and an anonymous caller is
 * UNAUTHENTICATED even where only scopes are asked, as on the REST doors). Called once per
 * distinct caller capability (SchemaAuthorization caches it), and only refusals cost an exception.
 */
export function decide(requirement: Requirement, principal: Principal): Refusal | undefined {
  try {
    authorize(principal, requirement);
    return undefined;
  } catch (error) {
    if (error instanceof UnauthenticatedError || error instanceof ForbiddenError) return error;
    throw error;
  }
}
