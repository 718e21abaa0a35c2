import type { ApolloServerPlugin } from '@apollo/server';
import type { Door } from '../context/request-context.ts';
import { estimateCost } from './operation-limits/index.ts';
import type { OperationLimitsConfig } from './operation-limits/config.ts';
import { RATE_LIMIT_LIST_FIELDS, rateLimitedError, type RateLimiter } from '../rate-limit/index.ts';
import { toGraphQLError } from '../errors/render.ts';
import type { GraphQLContext } from './context.ts';

/**
 * The separate budget for expensive operations: once an operation is resolved its cost is
 * estimated, and one above `rateLimit.expensive.costThreshold` also draws from the
 * expensive bucket. Only for requests that came in by this door: a BFF's calls to the
 * supergraph run on the engine directly and never reach this plugin, except with
 * `engine.executor: stock`, where they go through the supergraph door's Apollo Server and
 * were already counted at the BFF door.
 */
export function expensiveOperationsPlugin(
  door: Door,
  limiter: RateLimiter,
  limits: OperationLimitsConfig,
  costThreshold: number,
): ApolloServerPlugin<GraphQLContext> | null {
  if (!limiter.enabled) return null;
  return {
    async requestDidStart({ contextValue }) {
      const ctx = contextValue.request;
      if (ctx.door !== door || ctx.door === 'ops') return;
      const rateLimitedDoor = ctx.door;
      return {
        async didResolveOperation({ document, operationName, request, schema, response }) {
          const cost = estimateCost(document, limits, { schema, operationName: operationName ?? undefined, variables: request.variables });
          if (cost <= costThreshold) return;
          const result = await limiter.check({ principal: ctx.principal, clientIp: ctx.clientIp, door: rateLimitedDoor, route: ctx.route, expensive: true });
          // Refused: the error carries this bucket's headers (Retry-After and all). Admitted:
          // the response lists this policy after the request bucket's (set at the edge; the
          // HTTP bridge joins the lists).
          if (!result.allowed) throw toGraphQLError(rateLimitedError(result), 'request');
          for (const [name, value] of Object.entries(result.headers)) if (RATE_LIMIT_LIST_FIELDS.has(name)) response.http.headers.set(name, value);
        },
      };
    },
  };
}
