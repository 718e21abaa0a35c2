import type { IncomingHttpHeaders } from 'node:http';

/**
 * Who the gateway says is calling. Read only from a request whose gateway signature
 * verified (gateway-signature.ts): the signature covers exactly these headers, so they are
 * the gateway's (which strips any client copy before setting them), not the caller's.
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
