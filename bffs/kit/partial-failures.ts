import type { ApolloServerPlugin } from '@apollo/server';
import { responsePathAsArray, type GraphQLFormattedError, type GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from '../../gateway/context/request-context.ts';
import { toGatewayError } from '../../gateway/errors/gateway-error.ts';
import { toGraphQLErrorJson } from '../../gateway/errors/render.ts';

/**
 * Optional parts of a screen (recommendations, the unread count) degrade instead of
 * failing. Two shapes, both ending in an entry in the response's `errors` with the
 * part's path and a stable code:
 *
 * - a nullable field simply throws: GraphQL answers `null` plus the error (the default);
 * - a field whose client expects a value even then (a list the screen iterates) resolves
 *   through `withFallback`: the typed fallback (e.g. `{ items: [], degraded: true }`) is
 *   returned and the error is recorded here, then added to `errors` as the response leaves
 *   (`partialFailuresPlugin`), since a resolver cannot return a value and an error at once.
 *
 * A required part just throws and fails its field (and, being non-null, its parent);
 * nothing an upstream does fails the process.
 */
export class PartialFailures {
  readonly #errors: GraphQLFormattedError[] = [];

  record(error: unknown, path: ReadonlyArray<string | number>): void {
    const { message, extensions } = toGraphQLErrorJson(error, 'field');
    this.#errors.push({ message, path, extensions });
  }

  get errors(): readonly GraphQLFormattedError[] {
    return this.#errors;
  }
}

/** What `withFallback` needs from the BFF context. */
export interface FallbackContext {
  readonly request: RequestContext;
  readonly failures: PartialFailures;
}

/** Runs an optional part; on failure records the error at this field and answers `fallback`. */
export async function withFallback<T>(ctx: FallbackContext, info: GraphQLResolveInfo, fallback: T, part: () => Promise<T>): Promise<T> {
  try {
    return await part();
  } catch (error) {
    const path = responsePathAsArray(info.path);
    ctx.request.log.warn({ part: path.join('.'), code: toGatewayError(error).code }, 'optional part failed; answered its fallback');
    ctx.failures.record(error, path);
    return fallback;
  }
}

/** Adds the recorded failures to the response's `errors` (after the execution's own). */
export function partialFailuresPlugin<TContext extends FallbackContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const recorded = contextValue.failures.errors;
          if (recorded.length === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...recorded];
        },
      };
    },
  };
}
