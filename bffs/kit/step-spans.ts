import { SpanStatusCode } from '@opentelemetry/api';
import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from '../../gateway/context/request-context.ts';
import { inSpan, withSpan } from '../../gateway/telemetry/spans.ts';
import { isTracingActive } from '../../gateway/telemetry/tracing.ts';
import type { Operation } from './operations.ts';
import type { RestClient } from './rest-client.ts';
import type { SupergraphClient, SupergraphResult } from './supergraph-client.ts';

/*
 * The spans of a BFF's steps, added by the kit so no BFF author writes one:
 *
 *   POST /bff/web/graphql                      the request (server span)
 *   ├─ bff.resolve Dashboard.profile           a resolver the BFF defines
 *   │  └─ bff.supergraph WebProfile            an operation on the supergraph
 *   │     └─ gateway.request … POST users      its plan, fetches and upstream calls
 *   └─ bff.resolve Dashboard.unreadNotifications
 *      └─ bff.rest notifications               a call to a REST-only service
 *         └─ GET notifications                 its upstream call
 *
 * Resolver spans are children of the request's span (graphql-js calls resolvers in the
 * request's context; `graphql.execute` beside them covers the same time). Each wrapper
 * checks `isTracingActive()` first: with tracing off a step costs one boolean check.
 */

/**
 * A span per call of a resolver the BFF author wrote (fields without one read a property
 * and never get a span). Two kinds of call get none, so a trace grows with the query,
 * not with the data:
 *
 * - a resolver declared without the context parameter (fewer than three): it cannot reach
 *   the supergraph, the REST services or the loaders, so it only reshapes its parent's
 *   value (`formattedTotal: (order) => formatMoney(…)`): decided once, here;
 * - a call for an item of a list (`lines[3].product`): one per item. The loaders those
 *   resolvers use batch into one supergraph operation, which has its own span.
 */
export function tracedResolver<TContext>(
  typeName: string,
  fieldName: string,
  resolve: GraphQLFieldResolver<unknown, TContext>,
): GraphQLFieldResolver<unknown, TContext> {
  if (resolve.length < 3) return resolve;
  const name = `bff.resolve ${typeName}.${fieldName}`;
  return (source, args, context, info) => {
    if (!isTracingActive()) return resolve(source, args, context, info);
    const path = fieldPath(info);
    if (path === undefined) return resolve(source, args, context, info);
    return inSpan(name, () => resolve(source, args, context, info), { 'graphql.field.name': fieldName, 'graphql.field.path': path });
  };
}

/** `dashboard.profile`; undefined when the field is inside a list (a numeric path key). */
function fieldPath(info: GraphQLResolveInfo): string | undefined {
  const keys: string[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) {
    if (typeof p.key === 'number') return undefined;
    keys.push(p.key);
  }
  return keys.reverse().join('.');
}

/**
 * `bff.supergraph <OperationName>` around each supergraph operation, whichever client runs
 * it (in-process or HTTP). An answer with errors marks the span as an error with the first
 * error's code: the step did not fully succeed, even when the resolver degrades gracefully.
 */
export function tracedSupergraphClient(client: SupergraphClient): SupergraphClient {
  return {
    execute<TData, TVariables>(op: Operation<TData, TVariables>, variables: TVariables, ctx: RequestContext): Promise<SupergraphResult<TData>> {
      if (!isTracingActive()) return client.execute(op, variables, ctx);
      return withSpan(
        `bff.supergraph ${op.name}`,
        async (span) => {
          const result = await client.execute(op, variables, ctx);
          if (result.errors.length > 0) {
            const code = result.errors[0]?.extensions?.code;
            span.setAttribute('graphql.error.count', result.errors.length);
            span.setAttribute('error.type', typeof code === 'string' ? code : 'GRAPHQL_ERROR');
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          return result;
        },
        { 'graphql.operation.name': op.name, 'graphql.operation.type': op.type },
      );
    },
  };
}

/** `bff.rest <route>` around each REST call: the upstream call, reading the body and decoding it. */
export function tracedRestClient(client: RestClient): RestClient {
  return {
    getJson(service, path, ctx, decode) {
      if (!isTracingActive()) return client.getJson(service, path, ctx, decode);
      return withSpan(`bff.rest ${service}`, () => client.getJson(service, path, ctx, decode), { 'upstream.name': service, 'http.request.method': 'GET' });
    },
  };
}
