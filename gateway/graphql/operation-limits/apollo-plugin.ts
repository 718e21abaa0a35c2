import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { toGraphQLError } from '../../errors/render.ts';
import { findViolationIn } from './check.ts';
import type { OperationLimitsConfig } from './config.ts';
import { useSupergraphCostDirectives } from './cost-directives.ts';
import { findSourceViolation } from './source.ts';
import { findUnrunnableOperation } from './operation-selection.ts';
import { toOperationLimitError, type OperationLimitViolation } from './violation.ts';
import { fragmentsOf } from './walk.ts';

export interface OperationLimitsPluginOptions {
  /** Called with each rejection (a metric, a log line). */
  onViolation?(violation: OperationLimitViolation): void;
}

/**
 * Operation limits on an Apollo Server door (the supergraph and each BFF).
 *
 * Depth, aliases, root fields and cost are checked in `didResolveOperation` (parsed,
 * validated, operation chosen) on the operation that will run, with the request's
 * variables. Rejections are GraphQLErrors with `extensions.code = OPERATION_LIMIT_EXCEEDED`,
 * the limit, value and max, and HTTP 400. A request whose operation cannot run (an
 * `operationName` that selects none, a root type the schema lacks) is refused first,
 * `INVALID_OPERATION_NAME` / `BAD_REQUEST` (operation-selection.ts).
 *
 * Source limits (bytes, tokens) belong before Apollo: a plugin cannot refuse a request
 * before parsing (Apollo turns a throw from `didResolveSource` into a 500). So:
 * - the door calls `findSourceViolation(query, config)` on the request text first (cheapest,
 *   and our error code);
 * - `apolloParseOptions(config)` as ApolloServer's `parseOptions` makes its parser stop at
 *   `maxTokens` (a 400 GRAPHQL_PARSE_FAILED) if anything gets past the door;
 * - and this plugin still measures the source in `didResolveSource` and refuses it in
 *   `didResolveOperation`, so no path serves an over-limit document.
 * Batching and introspection are Apollo options: `allowBatchedHttpRequests` (with
 * `findBatchViolation` for the batch size) and `introspection` (`resolveIntrospection`).
 *
 * Under a gateway the schema an operation is checked against is Apollo's API schema, which
 * has lost the supergraph's `@cost` and `@listSize`; on every schema (re)load the plugin
 * registers the supergraph's for it, so this estimate, and any other `estimateCost` on the
 * same schema (the expensive-operations budget), honours them.
 */
export function operationLimitsPlugin<TContext extends BaseContext>(
  config: OperationLimitsConfig,
  options: OperationLimitsPluginOptions = {},
): ApolloServerPlugin<TContext> {
  const reject = (violation: OperationLimitViolation): never => {
    try {
      options.onViolation?.(violation);
    } catch {
      // a metrics hook must never change the answer
    }
    throw toGraphQLError(toOperationLimitError(violation), 'request');
  };
  return {
    async serverWillStart() {
      return {
        schemaDidLoadOrUpdate({ apiSchema, coreSupergraphSdl }) {
          if (coreSupergraphSdl) useSupergraphCostDirectives(apiSchema, coreSupergraphSdl);
        },
      };
    },
    async requestDidStart() {
      let sourceViolation: OperationLimitViolation | undefined;
      return {
        async didResolveSource({ source }) {
          sourceViolation = findSourceViolation(source, config);
        },
        async didResolveOperation({ document, operation, request, schema }) {
          if (sourceViolation) reject(sourceViolation);
          // Fail closed: no limit can be measured on an operation that was not resolved.
          const unrunnable = findUnrunnableOperation(document, operation, request.operationName, schema);
          if (unrunnable) throw toGraphQLError(unrunnable, 'request');
          if (!operation) return; // refused just above; narrows the type
          const violation = findViolationIn(operation, fragmentsOf(document), config, { schema, variables: request.variables });
          if (violation) reject(violation);
        },
      };
    },
  };
}

/** ApolloServer `parseOptions`: graphql's parser gives up past `maxTokens`. */
export function apolloParseOptions(config: Pick<OperationLimitsConfig, 'maxTokens'>): { maxTokens: number } {
  return { maxTokens: config.maxTokens };
}
