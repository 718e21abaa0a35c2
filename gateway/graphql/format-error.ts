import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { boundMessage } from '../errors/client-text.ts';
import { isGatewayError } from '../errors/gateway-error.ts';

/**
 * Last stop before an error reaches a client: no stack traces, no upstream internals
 * (`exception`, raw upstream responses), an unexpected error says only that it was one,
 * and no message is longer than `MAX_MESSAGE_CHARS` (graphql-js quotes client text, such
 * as a variable's value, into its messages).
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const { stacktrace: _stack, exception: _exception, response: _response, ...extensions } = formatted.extensions ?? {};
  if (isGatewayError(original)) {
    return { ...formatted, message: original.message, extensions: { ...extensions, ...original.extensions, code: original.code } };
  }
  if (!extensions.code || (extensions.code === 'INTERNAL_SERVER_ERROR' && !extensions.serviceName)) {
    // Apollo refuses some requests with a bare GraphQLError and a 4xx (an unsupported
    // persisted-query version, a hash that does not match the query): the client's fault,
    // so its own code and message, not "Internal server error".
    if (clientFaultStatus(original)) return { ...formatted, message: boundMessage(formatted.message), extensions: { ...extensions, code: 'BAD_REQUEST' } };
    return { ...formatted, message: 'Internal server error', extensions: { ...extensions, code: 'INTERNAL_SERVER_ERROR' } };
  }
  return { ...formatted, message: boundMessage(formatted.message), extensions };
}

/** True for an error Apollo answers with a 4xx status (`extensions.http.status`). */
function clientFaultStatus(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  const http: unknown = error.extensions.http;
  if (typeof http !== 'object' || http === null || !('status' in http)) return false;
  const { status } = http;
  return typeof status === 'number' && status >= 400 && status < 500;
}
