import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isGatewayError } from '../errors/gateway-error.ts';

/**
 * Last stop before an error reaches a client: no stack traces, no upstream internals
 * (`exception`, raw upstream responses), and an unexpected error says only that it was one.
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const { stacktrace: _stack, exception: _exception, response: _response, ...extensions } = formatted.extensions ?? {};
  if (isGatewayError(original)) {
    return { ...formatted, message: original.message, extensions: { ...extensions, ...original.extensions, code: original.code } };
  }
  if (!extensions.code || (extensions.code === 'INTERNAL_SERVER_ERROR' && !extensions.serviceName)) {
    return { ...formatted, message: 'Internal server error', extensions: { ...extensions, code: 'INTERNAL_SERVER_ERROR' } };
  }
  return { ...formatted, extensions };
}
