import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from '../graphql/context.ts';
import { versionWarningOf } from './client-policy.ts';

/** Header values are ASCII; a configured message may not be. */
const HEADER_SAFE = /[^\x20-\x7e]/g;

/**
 * A warned client version (client-policy.ts) learns it in every answer: the response
 * extension `clientVersion: { status: "deprecated", message, sunset? }` for the app to show,
 * `x-client-version-warning` (the message, ASCII) for HTTP tooling, and RFC 8594's `Sunset`
 * when a date is configured.
 */
export function versionWarningPlugin<TContext extends GraphQLContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const warning = versionWarningOf(contextValue.request);
          if (!warning) return;
          response.http.headers.set('x-client-version-warning', warning.message.replace(HEADER_SAFE, '?').slice(0, 200));
          if (warning.sunset) response.http.headers.set('sunset', warning.sunset);
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            clientVersion: { status: 'deprecated', client: warning.client, version: warning.version ?? null, message: warning.message, ...(warning.sunset ? { sunset: warning.sunset } : {}) },
          };
        },
      };
    },
  };
}
