import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { DEV_KEY_ID, DEV_SECRET, UNSIGNED_BODY, signatureHeaders } from '../../gateway/identity-signing/protocol.ts';

export interface SigningKey {
  readonly keyId: string;
  readonly secret: string;
}

export const DEV_KEY: SigningKey = { keyId: DEV_KEY_ID, secret: DEV_SECRET };

export interface DirectRequest {
  readonly method?: string;
  /** The full URL called. */
  readonly url: string;
  /** The service's base: its `/graphql` for a subgraph, the origin for a REST service. */
  readonly base: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A body held whole is digested; anything else (a stream) goes `unsigned`. */
  readonly body?: string | Uint8Array | null | undefined;
}

/**
 * The signature headers the gateway would add to this request, for calling a demo service
 * directly as the gateway (dev key and the real clock unless told otherwise).
 */
export function signAsGateway(request: DirectRequest, key: SigningKey = DEV_KEY, timestampSec = Math.floor(Date.now() / 1000)): Record<string, string> {
  if (!request.url.startsWith(request.base)) throw new Error(`${request.url} is not under ${request.base}`);
  const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return signatureHeaders({
    keyId: key.keyId,
    key: key.secret,
    method: request.method ?? 'GET',
    path: request.url.slice(request.base.length),
    body: request.body === undefined || request.body === null ? null : typeof request.body === 'string' || request.body instanceof Uint8Array ? request.body : UNSIGNED_BODY,
    headers,
    timestampSec,
  });
}

/** A GraphQL data source's HTTP client, as stock @apollo/gateway types it. */
export type DataSourceFetcher = RemoteGraphQLDataSource['fetcher'];

/**
 * Wraps a data source's fetcher (stock @apollo/gateway's, in the comparisons) so each fetch
 * to `base` is signed as our gateway signs its own: those gateways call the same demo
 * subgraphs, which answer only signed requests. The identity headers signed are the ones
 * the fetch carries.
 */
export function signingFetcher(fetcher: DataSourceFetcher, base: string | undefined): DataSourceFetcher {
  return (url, init) => {
    if (base === undefined) throw new Error(`no routing URL to sign ${url} under`);
    const headers = init?.headers ?? {};
    const signature = signAsGateway({ method: init?.method ?? 'GET', url, base, headers, body: init?.body ?? null });
    return fetcher(url, { ...init, headers: { ...headers, ...signature } });
  };
}
