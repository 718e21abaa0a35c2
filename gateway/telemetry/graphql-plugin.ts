import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { Span } from '@opentelemetry/api';
import type { GraphQLContext } from '../graphql/context.ts';
import { requestTelemetry } from './request-telemetry.ts';
import { markError } from './spans.ts';
import { isTracingActive, tracer } from './tracing.ts';

export interface GraphQLTelemetryOptions {
  /**
   * A `graphql.execute` span around execution. Off for the supergraph door, where
   * @apollo/gateway's own spans (`gateway.request` → `gateway.plan`, `gateway.execute` →
   * `gateway.fetch`) already cover it; on for BFF doors, whose resolvers run here.
   */
  executeSpan: boolean;
}

/**
 * For every GraphQL door: names the operation for the access log and metrics, and (when
 * tracing is on) adds `graphql.parse` / `graphql.validate` spans, which Apollo Server does
 * not emit itself. They open in the request's span context, so they nest under it. Parse
 * and validate are skipped by Apollo for documents it has cached, and so are their spans.
 */
export function graphqlTelemetryPlugin<TContext extends GraphQLContext>(options: GraphQLTelemetryOptions): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart(): Promise<GraphQLRequestListener<TContext>> {
      const tracing = isTracingActive();
      return {
        async didResolveOperation(rc) {
          // The door's own operation is resolved first. With `engine.executor: stock` a BFF's
          // supergraph operations run on the supergraph door's Apollo Server with the same
          // RequestContext, and must not rename it (on the engine they never get here).
          const t = requestTelemetry(rc.contextValue.request);
          if (t.operationType !== undefined) return;
          t.operationName = rc.operationName ?? undefined;
          t.operationType = rc.operation?.operation;
        },
        ...(tracing
          ? {
              async parsingDidStart() {
                const span = tracer().startSpan('graphql.parse');
                return async (error?: Error) => endSpan(span, error);
              },
              async validationDidStart() {
                const span = tracer().startSpan('graphql.validate');
                return async (errors?: ReadonlyArray<Error>) => endSpan(span, errors?.[0], 'GRAPHQL_VALIDATION_FAILED');
              },
            }
          : {}),
        ...(tracing && options.executeSpan
          ? {
              async executionDidStart(rc) {
                const span = tracer().startSpan('graphql.execute', {
                  attributes: {
                    ...(rc.operation ? { 'graphql.operation.type': rc.operation.operation } : {}),
                    ...(rc.operationName ? { 'graphql.operation.name': rc.operationName } : {}),
                  },
                });
                return { executionDidEnd: async (error?: Error) => endSpan(span, error) };
              },
            }
          : {}),
      };
    },
  };
}

function endSpan(span: Span, error: Error | undefined, type?: string): void {
  if (error) markError(span, error, type);
  span.end();
}
