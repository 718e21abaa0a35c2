import type { ApolloServer } from '@apollo/server';
import type { RequestContext } from '../../gateway/context/request-context.ts';
import type { GraphQLContext } from '../../gateway/graphql/context.ts';
import type { Operation } from './operations.ts';
import type { SupergraphClient, SupergraphResult } from './supergraph-client.ts';

/**
 * Runs BFF operations on the supergraph door's own Apollo Server, in this process: no
 * HTTP hop, and the door's plugins (operation limits) still apply. The BFF's
 * RequestContext is the context value, so the query planner's subgraph fetches carry the
 * caller's identity and deadline through the upstream pipeline.
 */
export function createInProcessSupergraphClient(apollo: ApolloServer<GraphQLContext>): SupergraphClient {
  async function execute<TData, TVariables>(op: Operation<TData, TVariables>, variables: TVariables, ctx: RequestContext): Promise<SupergraphResult<TData>> {
    // The text rather than the DocumentNode: Apollo prints a document on every call; the
    // text was printed once at start-up and hits Apollo's parsed-document cache.
    const response = await apollo.executeOperation(
      { query: op.text, operationName: op.name, variables: variables as Record<string, unknown> },
      { contextValue: { request: ctx } },
    );
    if (response.body.kind !== 'single') throw new Error(`operation ${op.name}: BFFs do not use incremental delivery`);
    const { data, errors } = response.body.singleResult;
    // The shape is the operation's declaration (checked by the e2e tests), not verified here.
    return { data: (data ?? null) as TData | null, errors: errors ?? [] };
  }
  return { execute };
}
