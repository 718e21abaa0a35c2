import type { GraphQLFormattedError } from 'graphql';
import { isErrorCode, type ErrorCode } from '../../gateway/errors/codes.ts';
import { GatewayError } from '../../gateway/errors/gateway-error.ts';

/**
 * A supergraph operation a BFF sent came back with errors. The errors were already
 * formatted by the supergraph door (client-safe message, stable `extensions.code`), so
 * the first one is passed on under the same code: a BFF client sees `UPSTREAM_UNAVAILABLE`
 * or `BAD_USER_INPUT` exactly as a /graphql client would. A code the registry does not
 * know (only a bug in our own documents could produce one) becomes a plain 500.
 */
export class SupergraphOperationError extends GatewayError {
  constructor(operation: string, errors: readonly GraphQLFormattedError[]) {
    const first = errors[0];
    const code: ErrorCode = isErrorCode(first?.extensions?.code) ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
    // `http` would turn a field failure into an error status for the whole BFF response.
    const { code: _code, http: _http, ...extensions } = first?.extensions ?? {};
    super(code, code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : (first?.message ?? `Operation ${operation} failed`), {
      extensions: { ...extensions, operation },
      cause: errors,
    });
  }
}

/**
 * A REST-only service answered with a non-2xx status. 404 stays a not-found, 429 a rate
 * limit, any other 4xx means our request was wrong for that service (a bad response from
 * the client's point of view), 5xx means the service failed.
 */
export class UpstreamStatusError extends GatewayError {
  readonly upstreamStatus: number;

  constructor(upstream: string, status: number) {
    const code: ErrorCode = status === 404 ? 'NOT_FOUND' : status === 429 ? 'RATE_LIMITED' : status >= 500 ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_BAD_RESPONSE';
    super(code, `Upstream "${upstream}" answered ${status}`, { extensions: { upstream, upstreamStatus: status } });
    this.upstreamStatus = status;
  }
}
