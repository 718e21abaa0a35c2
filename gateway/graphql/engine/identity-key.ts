import type { Principal } from '../../context/principal.ts';
import type { RequestContext } from '../../context/request-context.ts';
import { identityHeaders } from '../../upstream/identity.ts';

// A session's principal is one object (the verified-token cache hands it out again).
const keys = new WeakMap<Principal, string>();

/**
 * What a subgraph is told about the caller — the identity headers the pipeline adds, the
 * client name, and whatever the `headers` rules send from this request (client headers
 * they propagate, context values they insert) — as one string: two requests may share a
 * fetch or an execution only when this is the same, so no caller ever sees what was
 * fetched for another, nor an answer made for headers another sent.
 */
export function identityKey(ctx: RequestContext): string {
  let key = keys.get(ctx.principal);
  if (key === undefined) {
    key = JSON.stringify(identityHeaders(ctx.principal));
    keys.set(ctx.principal, key);
  }
  const vary = ctx.headerRules.varyKey(ctx);
  return vary === '' ? `${key}|${ctx.clientName ?? ''}` : `${key}|${ctx.clientName ?? ''}\u0000${vary}`;
}
