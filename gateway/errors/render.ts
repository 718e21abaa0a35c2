import { GraphQLError } from 'graphql';
import { errorCodes } from './codes.ts';
import { toGatewayError, type GatewayError } from './gateway-error.ts';

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

export function toGraphQLError(error: unknown, path?: ReadonlyArray<string | number>): GraphQLError {
  const err: GatewayError = toGatewayError(error);
  return new GraphQLError(err.message, {
    path,
    extensions: { ...err.extensions, code: err.code, http: { status: err.status } },
  });
}

/** The JSON shape of a GraphQL error as subgraph responses carry it (no GraphQLError instance). */
export function toGraphQLErrorJson(error: unknown): { message: string; extensions: Record<string, unknown> } {
  const err = toGatewayError(error);
  return { message: err.message, extensions: { ...err.extensions, code: err.code, http: { status: err.status } } };
}
