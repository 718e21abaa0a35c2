import type { RequestContext } from '../../gateway/context/request-context.ts';
import { graphQLAnswerReader } from '../../gateway/graphql/graphql-answer.ts';
import { callReading } from '../../gateway/upstream/answer-body.ts';
import type { UpstreamCall } from '../../gateway/upstream/types.ts';
import { authorizationOf } from './caller-credentials.ts';
import type { Operation } from './operations.ts';
import type { SupergraphClient, SupergraphResult } from './supergraph-client.ts';

/** The upstream name the remote supergraph's pipeline is registered under. */
export const SUPERGRAPH_UPSTREAM = 'supergraph';

/**
 * Runs BFF operations against a remote gateway's `POST /graphql`, through the upstream
 * pipeline `call` (build it with `upstreams.pipeline(SUPERGRAPH_UPSTREAM, 'subgraph',
 * [targetFromUrl(url)])`), so a BFF can run as a process of its own with the same breaker,
 * timeout and retry policies. The caller's `Authorization` header is forwarded: the remote
 * gateway authenticates the caller itself (it strips the identity headers we would add).
 * Queries may be retried; mutations never are.
 */
export function createHttpSupergraphClient(call: UpstreamCall): SupergraphClient {
  // Read inside the call: a body that is not a GraphQL answer is the call's failure, which
  // the breaker and retry see (a 4xx/5xx with a GraphQL body is still an answer).
  const readAnswer = graphQLAnswerReader(SUPERGRAPH_UPSTREAM);
  async function execute<TData, TVariables>(op: Operation<TData, TVariables>, variables: TVariables, ctx: RequestContext): Promise<SupergraphResult<TData>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    const authorization = authorizationOf(ctx);
    if (authorization) headers.authorization = authorization;
    const { value } = await callReading(call, {
      upstream: SUPERGRAPH_UPSTREAM,
      method: 'POST',
      path: '',
      headers,
      body: JSON.stringify({ query: op.text, operationName: op.name, variables }),
      idempotent: op.type === 'query',
      ctx,
      operationName: op.name,
      // The remote gateway verifies the token itself: not a credential to hide from it.
      forwardsCredentials: true,
      readBody: readAnswer,
    });
    const { data, errors } = value;
    // The shape is the operation's declaration (checked by the e2e tests), not verified here.
    return { data: (data ?? null) as TData | null, errors: errors ?? [] };
  }
  return { execute };
}
