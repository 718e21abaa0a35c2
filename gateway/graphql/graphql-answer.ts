import type { GraphQLFormattedError } from 'graphql';
import { UpstreamBadResponseError } from '../errors/gateway-error.ts';
import type { BodyReader } from '../upstream/types.ts';

/** A GraphQL response as an upstream sent it (subgraph, or a remote gateway's `/graphql`). */
export interface GraphQLAnswer {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly GraphQLFormattedError[];
  readonly extensions?: Record<string, unknown>;
}

/**
 * The body of a GraphQL-over-HTTP answer, whatever its status (a 4xx/5xx with a GraphQL
 * body is still an answer). A body that is not JSON, or not a GraphQL response, is the
 * upstream's fault: UPSTREAM_BAD_RESPONSE. The one reading of such bodies, for every
 * caller that gets them; callers have the pipeline run it (`graphQLAnswerReader`), so a
 * broken body is the call's outcome and the breaker counts it.
 */
export function parseGraphQLAnswer(upstream: string, status: number, text: string): GraphQLAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UpstreamBadResponseError(upstream, `status ${status}, body is not JSON`, status);
  }
  if (parsed === null || typeof parsed !== 'object' || !('data' in parsed || 'errors' in parsed)) {
    throw new UpstreamBadResponseError(upstream, `status ${status}, not a GraphQL response`, status);
  }
  const { data, errors, extensions } = parsed as { data?: unknown; errors?: unknown; extensions?: unknown };
  return {
    ...(data === null || isRecord(data) ? { data } : {}),
    ...(Array.isArray(errors) ? { errors: errors as GraphQLFormattedError[] } : {}),
    ...(isRecord(extensions) ? { extensions } : {}),
  };
}

/** `parseGraphQLAnswer` as the pipeline's body reader for calls to `upstream`. */
export function graphQLAnswerReader(upstream: string): BodyReader<GraphQLAnswer> {
  return (answer) => parseGraphQLAnswer(upstream, answer.statusCode, answer.text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
