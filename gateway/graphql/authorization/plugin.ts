import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLAuthorizationConfig } from '../../auth/config.ts';
import { InternalError } from '../../errors/gateway-error.ts';
import { toGraphQLError } from '../../errors/render.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { GraphQLContext } from '../context.ts';
import { authorizeOperation, type AuthorizationDecision } from './authorize.ts';
import { SchemaAuthorization } from './schema-authorization.ts';

/** The authorization of each supergraph schema, built when it loads (a failure is kept: closed, not open). */
export class AuthorizationBySchema {
  // Per schema object: the supergraph hot-reloads, and a request keeps the schema it
  // started with. A WeakMap: a schema no request holds any more takes its entry with it.
  readonly #bySchema = new WeakMap<GraphQLSchema, SchemaAuthorization | Error>();
  constructor(private readonly log: Logger) {}

  /** Builds the authorization of a schema once (the engine and the plugin both announce it). */
  load(apiSchema: GraphQLSchema, coreSupergraphSdl: string | undefined): void {
    if (this.#bySchema.has(apiSchema)) return;
    try {
      if (coreSupergraphSdl === undefined) throw new Error('no supergraph SDL to read @authenticated / @requiresScopes from');
      this.#bySchema.set(apiSchema, new SchemaAuthorization(apiSchema, coreSupergraphSdl));
    } catch (error) {
      // Served anyway, but every operation on it fails: closed, not open.
      this.log.error({ err: error }, 'supergraph authorization directives cannot be enforced; /graphql refuses every operation');
      this.#bySchema.set(apiSchema, error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The schema's authorization; throws (as a request error) when it could not be built. */
  of(schema: GraphQLSchema): SchemaAuthorization {
    const authorization = this.#bySchema.get(schema) ?? new Error('no authorization loaded for this schema');
    if (authorization instanceof Error) throw toGraphQLError(new InternalError(authorization), 'request');
    return authorization;
  }
}

/**
 * Enforces the supergraph's `@authenticated` and `@requiresScopes` on the supergraph door
 * (authorize.ts decides; the BFFs' calls to the engine use the same step).
 *
 * Once an operation is resolved, the selections the caller may not see are removed from
 * the document before the query planner sees it: subgraphs never receive them. The
 * executor keys its query-plan cache on `queryHash`, so the filtered document gets the
 * hash of its own text: a plan is only ever shared by callers whose filtered documents are
 * identical, never served to a caller with different rights. When the response is sent,
 * each removed field is put back as `null` with an UNAUTHENTICATED or FORBIDDEN error at
 * its path (`filter`), unless config says `reject`.
 */
export function authorizationPlugin(config: GraphQLAuthorizationConfig, authorizations: AuthorizationBySchema): ApolloServerPlugin<GraphQLContext> {
  return {
    async serverWillStart() {
      return {
        schemaDidLoadOrUpdate({ apiSchema, coreSupergraphSdl }) {
          authorizations.load(apiSchema, coreSupergraphSdl);
        },
      };
    },

    async requestDidStart({ schema, contextValue }) {
      let decision: AuthorizationDecision = { kind: 'allowed' };
      return {
        async didResolveOperation(requestContext) {
          const authorization = authorizations.of(schema);
          // No operation by that name: execution answers the error; nothing to filter.
          if (!requestContext.operation) return;
          decision = authorizeOperation(authorization, config, contextValue.request.principal, requestContext.document, requestContext.operation);
          if (decision.kind === 'rejected') throw toGraphQLError(decision.error, 'request');
          if (decision.kind !== 'filtered' || decision.filtered.empty) return; // responseForOperation answers when empty
          // Apollo hands the executor these fields as they are after this hook; they are
          // typed readonly only because plugins rarely need to change them.
          const writable = requestContext as { -readonly [K in keyof typeof requestContext]: (typeof requestContext)[K] };
          writable.document = decision.filtered.document;
          writable.operation = decision.filtered.operation;
          writable.queryHash = decision.filtered.queryHash;
        },

        async responseForOperation() {
          if (decision.kind !== 'filtered' || !decision.filtered.empty) return null;
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: {} } } };
        },

        async willSendResponse(requestContext) {
          const body = requestContext.response.body;
          if (decision.kind !== 'filtered' || body.kind !== 'single' || body.singleResult.data === undefined) return;
          const { data, errors } = await decision.complete({
            data: body.singleResult.data,
            operationName: requestContext.request.operationName,
            variables: requestContext.request.variables,
          });
          body.singleResult = { ...body.singleResult, data, errors: [...errors, ...(body.singleResult.errors ?? [])] };
        },
      };
    },
  };
}
