import type { RequestContext } from '../../gateway/context/request-context.ts';
import { UnauthenticatedError } from '../../gateway/errors/gateway-error.ts';

/**
 * The signed-in user's id, for screens that are about "me". The door's access requirement
 * normally refuses anonymous callers before any resolver runs; this is the resolver's own
 * guard, so a screen never runs for nobody (or for an API consumer, which has no user).
 */
export function signedInUser(ctx: RequestContext): string {
  if (ctx.principal.kind === 'user') return ctx.principal.subject;
  throw new UnauthenticatedError('missing_credentials', 'This screen needs a signed-in user: send a user Bearer token');
}
