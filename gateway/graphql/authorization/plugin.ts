import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { GraphQLAuthorizationConfig } from '../../auth/config.ts';
import { InternalError, UnauthorizedFieldError } from '../../errors/gateway-error.ts';
import { toGraphQLError, toGraphQLErrorJson } from '../../errors/render.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { GraphQLContext } from '../context.ts';
import { completeFilteredResult } from './complete-result.ts';
import type { Refusal } from './decide.ts';
import type { FilteredOperation, Refused } from './filter-operation.ts';
import type { Requirement } from './requirements.ts';
import { SchemaAuthorization } from './schema-authorization.ts';

/**
 * Enforces the supergraph's `@authenticated` and `@requiresScopes` on the supergraph door
 * (and so on every BFF's in-process calls, which run as their caller).
 *
 * Once an operation is resolved, the selections the caller may not see are removed from
 * the document before the query planner sees it: subgraphs never receive them. The
 * executor (@apollo/gateway) keys its query-plan cache on `queryHash`, so the filtered
 * document gets the hash of its own text: a plan is only ever shared by callers whose
 * filtered documents are identical, never served to a caller with different rights.
 * When the response is sent, each removed field is put back as `null` with an
 * UNAUTHENTICATED or FORBIDDEN error at its path (`filter`), unless config says `reject`.
 */
export function authorizationPlugin(config: GraphQLAuthorizationConfig, log: Logger): ApolloServerPlugin<GraphQLContext> {
  // Per schema object: the supergraph hot-reloads, and a request keeps the schema it
  // started with. A WeakMap: a schema no request holds any more takes its entry with it.
  const bySchema = new WeakMap<GraphQLSchema, SchemaAuthorization | Error>();

  return {
    async serverWillStart() {
      return {
        schemaDidLoadOrUpdate({ apiSchema, coreSupergraphSdl }) {
          try {
            if (coreSupergraphSdl === undefined) throw new Error('no supergraph SDL to read @authenticated / @requiresScopes from');
            bySchema.set(apiSchema, new SchemaAuthorization(apiSchema, coreSupergraphSdl));
          } catch (error) {
            // Served anyway by the gateway, but every operation on it fails (below): closed, not open.
            log.error({ err: error }, 'supergraph authorization directives cannot be enforced; /graphql refuses every operation');
            bySchema.set(apiSchema, error instanceof Error ? error : new Error(String(error)));
          }
        },
      };
    },

    async requestDidStart({ schema, contextValue }) {
      const authorization = bySchema.get(schema);
      const principal = contextValue.request.principal;
      let filtered: FilteredOperation | null = null;
      let refusals: ReadonlyMap<Requirement, Refusal> = new Map();
      let original: DocumentNode | undefined;

      const errorOf = (refused: Refused): UnauthorizedFieldError => {
        const refusal = refusals.get(refused.requirement);
        if (!refusal) throw new Error(`no refusal recorded for ${refused.coordinate}`);
        return new UnauthorizedFieldError(refusal, refused.coordinate);
      };

      return {
        async didResolveOperation(requestContext) {
          if (!(authorization instanceof SchemaAuthorization)) throw toGraphQLError(new InternalError(authorization), 'request');
          // No operation by that name: execution answers the error; nothing to filter.
          if (authorization.requirements.all.length === 0 || !requestContext.operation) return;
          refusals = authorization.refusalsFor(principal);
          if (refusals.size === 0) return;
          filtered = authorization.filter(requestContext.document, requestContext.operation, refusals);
          if (!filtered) return;
          if (config.unauthorized === 'reject') throw toGraphQLError(errorOf(filtered.first), 'request');
          original = requestContext.document;
          if (filtered.empty) return; // responseForOperation answers; nothing is planned
          // Apollo hands the executor these fields as they are after this hook; they are
          // typed readonly only because plugins rarely need to change them.
          const writable = requestContext as { -readonly [K in keyof typeof requestContext]: (typeof requestContext)[K] };
          writable.document = filtered.document;
          writable.operation = filtered.operation;
          writable.queryHash = filtered.queryHash;
        },

        async responseForOperation() {
          if (!filtered?.empty) return null;
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: {} } } };
        },

        async willSendResponse(requestContext) {
          const body = requestContext.response.body;
          if (!filtered || !original || body.kind !== 'single' || body.singleResult.data === undefined) return;
          if (!(authorization instanceof SchemaAuthorization)) return;
          const { data, refusals: placed } = await completeFilteredResult({
            schema: authorization.completionSchema,
            document: original,
            operationName: requestContext.request.operationName,
            variables: requestContext.request.variables,
            data: body.singleResult.data,
            removals: filtered.removals,
          });
          const errors: GraphQLFormattedError[] = placed.map(({ path, refused }) => ({
            ...toGraphQLErrorJson(errorOf(refused), 'field'),
            ...(path.length > 0 ? { path } : {}),
          }));
          body.singleResult = { ...body.singleResult, data, errors: [...errors, ...(body.singleResult.errors ?? [])] };
        },
      };
    },
  };
}
