import { CLIENT_VERSION, type CallingClient, type RequestContext } from '../context/request-context.ts';
import type { ClientsConfig } from './config.ts';

const NAME = /^[a-z][a-z0-9-]{0,62}$/i;

/**
 * The app calling a GraphQL door, decided once per request after authentication: a
 * verified token's claims (`clients.identity.nameClaim` / `versionClaim`) win over the
 * `apollographql-client-name` / `-version` headers, which anyone can send; a BFF door
 * with neither is called by the app of its own name. Values that could not be a client
 * name or version are ignored: they go into logs and (bounded) metric labels.
 */
export function resolveCallingClient(ctx: RequestContext, identity: ClientsConfig['identity'], doorClient: string | undefined): CallingClient {
  const claims = ctx.principal.kind === 'user' ? ctx.principal.claims : undefined;
  const claimName = claimString(claims, identity.nameClaim, NAME);
  const claimVersion = claimString(claims, identity.versionClaim, CLIENT_VERSION);
  const headerName = ctx.requestHeaders['apollographql-client-name'];
  const fromHeader = typeof headerName === 'string' && NAME.test(headerName) ? headerName.toLowerCase() : undefined;
  if (claimName !== undefined) return { name: claimName.toLowerCase(), version: claimVersion ?? ctx.clientVersion, source: 'token' };
  if (fromHeader !== undefined) return { name: fromHeader, version: claimVersion ?? ctx.clientVersion, source: 'header' };
  if (doorClient !== undefined) return { name: doorClient, version: claimVersion ?? ctx.clientVersion, source: 'door' };
  return { name: undefined, version: claimVersion ?? ctx.clientVersion, source: 'none' };
}

function claimString(claims: Readonly<Record<string, unknown>> | undefined, claim: string | undefined, shape: RegExp): string | undefined {
  if (!claims || claim === undefined) return undefined;
  const value = claims[claim];
  return typeof value === 'string' && shape.test(value) ? value : undefined;
}
