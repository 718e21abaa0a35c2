import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { OperationTypeNode, type DocumentNode } from 'graphql';
import { toGraphQLErrorJson } from '../errors/render.ts';
import { graphQLAnswerReader, type GraphQLAnswer } from './graphql-answer.ts';
import { callReading } from '../upstream/answer-body.ts';
import type { BodyReader, UpstreamCall } from '../upstream/types.ts';
import type { GraphQLContext } from './context.ts';

/**
 * The query planner's fetches to one subgraph, sent through that subgraph's upstream
 * pipeline instead of RemoteGraphQLDataSource's own fetcher (which stays unused).
 *
 * The answer is read and parsed inside the call, so a body that is broken or stalls is the
 * call's failure, the one its breaker and metrics see. A failed fetch is returned as a
 * GraphQL error rather than thrown, so the gateway attaches the subgraph and path to it
 * and still returns the data other subgraphs gave.
 */
export class PipelineDataSource extends RemoteGraphQLDataSource<GraphQLContext> {
  readonly #readAnswer: BodyReader<GraphQLAnswer>;

  constructor(
    private readonly upstream: string,
    private readonly call: UpstreamCall,
  ) {
    super();
    this.#readAnswer = graphQLAnswerReader(upstream);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GraphQLContext>): Promise<GatewayGraphQLResponse> {
    // Health checks and schema loading never happen: the supergraph is static or hot-reloaded from a file.
    if (!('incomingRequestContext' in options)) {
      throw new Error(`${this.upstream}: only incoming operations are sent (the supergraph is static)`);
    }
    const { request, context } = options;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    // The planner adds `apollo-federation-include-trace` when tracing; everything else from
    // the client stays at the edge.
    for (const [name, value] of request.http?.headers ?? []) headers[name] = value;
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName });

    try {
      const { value } = await callReading(this.call, {
        upstream: this.upstream,
        method: 'POST',
        path: '',
        headers,
        body,
        idempotent: !isMutation(options.document, request.query),
        ctx: context.request,
        operationName: request.operationName,
        readBody: this.#readAnswer,
      });
      // Our reading of the body has the same shape as the gateway's response type.
      return value as GatewayGraphQLResponse;
    } catch (error) {
      return { errors: [toGraphQLErrorJson(error)] } as GatewayGraphQLResponse;
    }
  }
}

/** Retry eligibility comes from the operation type, never from HTTP method (it is always POST). */
function isMutation(document: DocumentNode | undefined, query: string | undefined): boolean {
  const op = document?.definitions.find((d) => d.kind === 'OperationDefinition');
  if (op && op.kind === 'OperationDefinition') return op.operation === OperationTypeNode.MUTATION;
  return /^\s*mutation\b/.test(query ?? '');
}
