import type { Principal } from '../../context/principal.ts';
import type { RequestContext } from '../../context/request-context.ts';
import { identityHeaders } from '../../upstream/identity.ts';

// A session's principal is one object (the verified-token cache hands it out again).
const keys = new WeakMap<Principal, string>();

/**
 * What a subgraph is told about the caller — the identity headers the pipeline adds, and
 * the client name — as one string: two requests may share a fetch or an execution only
 * when this is the same, so no caller ever sees what was fetched for another.
 */
export function identityKey(ctx: RequestContext): string {
  let key = keys.get(ctx.principal);
  if (key === undefined) {
    key = JSON.stringify(identityHeaders(ctx.principal));
    keys.set(ctx.principal, key);
  }
  return `${key}|${ctx.clientName ?? ''}`;
}
