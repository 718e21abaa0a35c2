import type { IncomingHttpHeaders } from 'node:http';

/**
 * Who the gateway says is calling. Subgraphs trust these headers because the gateway
 * strips any client copy before setting them (gateway/upstream/gateway-headers.ts); run
 * alone, a subgraph simply believes whoever calls it, which is what the demo needs.
 */
export interface Identity {
  readonly userId: string | null;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
}

export function identityFromHeaders(headers: IncomingHttpHeaders): Identity {
  const userId = single(headers['x-user-id'])?.trim();
  return {
    userId: userId ? userId : null,
    scopes: spaceSeparated(headers['x-user-scopes']),
    roles: spaceSeparated(headers['x-user-roles']),
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function spaceSeparated(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(' ') : (value ?? '');
  return joined.split(/\s+/).filter((s) => s.length > 0);
}
