import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { RequestContext } from '../../gateway/context/request-context.ts';
import { formatGraphQLError } from '../../gateway/graphql/format-error.ts';
import type { SupergraphDoor } from '../../gateway/graphql/supergraph-door.ts';
import type { Operation } from './operations.ts';
import type { SupergraphClient, SupergraphResult } from './supergraph-client.ts';

/**
 * Runs BFF operations on the supergraph engine, in this process: no HTTP hop and no
 * second GraphQL request pipeline. The documents are the BFF's own (counted and limited
 * at the BFF's door), so the engine validates and plans each once per supergraph. The
 * BFF's RequestContext travels along, so every subgraph fetch carries the caller's
 * identity and deadline through the upstream pipeline, and `@authenticated` /
 * `@requiresScopes` apply to the caller as on `/graphql`.
 *
 * With `engine.executor: stock` there is no engine: operations run on the door's Apollo
 * Server instead, as before.
 */
export function createInProcessSupergraphClient(door: SupergraphDoor): SupergraphClient {
  const engine = door.engine;
  async function execute<TData, TVariables>(op: Operation<TData, TVariables>, variables: TVariables, ctx: RequestContext): Promise<SupergraphResult<TData>> {
    const vars = variables as Record<string, unknown>;
    if (engine) {
      const { data, errors } = await engine.execute({ document: op.document, operationName: op.name, variables: vars, ctx, documentKey: op.text });
      // The shape is the operation's declaration (checked by the e2e tests), not verified here.
      return { data: data as TData | null, errors: errors.map(formatForClient) };
    }
    const response = await door.apollo.executeOperation({ query: op.text, operationName: op.name, variables: vars }, { contextValue: { request: ctx } });
    if (response.body.kind !== 'single') throw new Error(`operation ${op.name}: BFFs do not use incremental delivery`);
    const { data, errors } = response.body.singleResult;
    return { data: (data ?? null) as TData | null, errors: errors ?? [] };
  }
  return { execute };
}

/** As Apollo Server formats an error for a response: a code always, then the door's formatError. */
function formatForClient(error: GraphQLError): GraphQLFormattedError {
  const json = error.toJSON();
  const formatted: GraphQLFormattedError = { ...json, extensions: { ...json.extensions, code: json.extensions?.code ?? 'INTERNAL_SERVER_ERROR' } };
  return formatGraphQLError(formatted, error);
}
