import type { RequestContext } from '../../context/request-context.ts';

/**
 * What a subgraph is told about the caller (the identity headers the pipeline adds), as one
 * string: two requests may share a fetch or an execution only when this is the same, so
 * no caller ever sees what was fetched for another.
 */
export function identityKey(ctx: RequestContext): string {
  const p = ctx.principal;
  switch (p.kind) {
    case 'anonymous':
      return `anonymous||${ctx.clientName ?? ''}`;
    case 'user':
      return `user:${p.subject}|${p.scopes.join(' ')}|${p.roles.join(' ')}|${p.tier}|${ctx.clientName ?? ''}`;
    case 'consumer':
      return `consumer:${p.consumer}|${p.scopes.join(' ')}|${p.roles.join(' ')}|${p.tier}|${ctx.clientName ?? ''}`;
    default: {
      const unreachable: never = p;
      throw new Error(`unknown principal ${JSON.stringify(unreachable)}`);
    }
  }
}
