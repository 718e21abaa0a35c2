import { GraphQLError } from 'graphql';
import { errorCodes } from './codes.ts';
import { toGatewayError } from './gateway-error.ts';

/**
 * The one place where gateway errors become wire formats: RFC 9457 problem+json for
 * REST doors and GraphQL errors for GraphQL doors, with the same code and status.
 */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

const PROBLEM_TYPE_BASE = 'https://bff-gateway.dev/problems/';

export function toProblem(error: unknown, requestId?: string, instance?: string): ProblemDocument {
  const err = toGatewayError(error);
  return {
    ...err.extensions,
    type: `${PROBLEM_TYPE_BASE}${err.code.toLowerCase().replaceAll('_', '-')}`,
    title: errorCodes[err.code].title,
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(instance === undefined ? {} : { instance }),
    ...(requestId === undefined ? {} : { requestId }),
  };
}

/**
 * A gateway error as a GraphQL error. `scope` matters because Apollo Server turns
 * `extensions.http.status` into the response status: a request-level refusal (401, 429,
 * 413) carries it, a field-level failure must not, or one failed subgraph would turn a
 * partial-data 200 into an error status.
 */
export function toGraphQLErrorJson(
  error: unknown,
  scope: 'request' | 'field' = 'field',
): { message: string; extensions: Record<string, unknown> } {
  const err = toGatewayError(error);
  const extensions: Record<string, unknown> = { ...err.extensions, code: err.code };
  if (scope === 'request') extensions.http = { status: err.status };
  return { message: err.message, extensions };
}

/**
 * As a GraphQLError thrown inside Apollo Server (a plugin's refusal). A request-level one
 * also carries the headers the error implies (`Retry-After`, `WWW-Authenticate`, …) in
 * `extensions.http.headers`, which Apollo puts on the response and strips from the body,
 * as the edge does for errors it answers itself (http/respond.ts).
 */
export function toGraphQLError(error: unknown, scope: 'request' | 'field' = 'field', path?: ReadonlyArray<string | number>): GraphQLError {
  const err = toGatewayError(error);
  const { message, extensions } = toGraphQLErrorJson(err, scope);
  const headers = Object.entries(err.headers);
  if (scope === 'request' && headers.length > 0) extensions.http = { status: err.status, headers: new Map(headers) };
  return new GraphQLError(message, { path, extensions, originalError: error instanceof Error ? error : undefined });
}
