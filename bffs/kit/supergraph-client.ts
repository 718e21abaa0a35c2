import type { GraphQLFormattedError } from 'graphql';
import type { RequestContext } from '../../gateway/context/request-context.ts';
import { SupergraphOperationError } from './errors.ts';
import type { Operation } from './operations.ts';

export interface SupergraphResult<TData> {
  readonly data: TData | null;
  /** Formatted by the supergraph door: client-safe messages and stable codes. */
  readonly errors: readonly GraphQLFormattedError[];
}

/**
 * How a BFF runs its supergraph operations. Identity and deadline travel in `ctx`, so
 * every subgraph fetch the query planner makes for the BFF goes through the upstream
 * pipeline with the caller's identity headers and never outlives the inbound request.
 *
 * Two implementations: in-process (in-process-supergraph-client.ts, the default: no HTTP
 * hop) and over HTTP to a remote gateway (http-supergraph-client.ts, for a BFF that runs
 * as its own process).
 */
export interface SupergraphClient {
  execute<TData, TVariables>(op: Operation<TData, TVariables>, variables: TVariables, ctx: RequestContext): Promise<SupergraphResult<TData>>;
}

/**
 * The data of an operation that must succeed as a whole: any error fails the part that
 * asked (partial data would be silently incomplete, e.g. an order without its lines).
 */
export async function executeOrThrow<TData, TVariables>(
  client: SupergraphClient,
  op: Operation<TData, TVariables>,
  variables: TVariables,
  ctx: RequestContext,
): Promise<TData> {
  const result = await client.execute(op, variables, ctx);
  if (result.errors.length > 0 || result.data === null) throw new SupergraphOperationError(op.name, result.errors);
  return result.data;
}
