import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import { readJsonBody } from '../http/read-body.ts';
import { MethodNotAllowedError } from '../errors/gateway-error.ts';
import { findBatchViolation, findJsonDepthViolation, findSourceViolation, toOperationLimitError } from './operation-limits/index.ts';
import type { OperationLimitsConfig } from './operation-limits/config.ts';
import type { RequestContext } from '../context/request-context.ts';
import type { GraphQLContext } from './context.ts';
import { splitRequestUrl } from '../http/request-url.ts';
import { answerBytes } from './answer-bytes.ts';
import { joinListField, RATE_LIMIT_LIST_FIELDS } from '../rate-limit/headers.ts';

export interface ServeApolloOptions {
  bodyLimitBytes: number;
  allowGet: boolean;
  limits: OperationLimitsConfig;
  /**
   * Runs on the request before the size and token limits and before Apollo: the door's
   * trusted documents and APQ (gateway/clients/door-documents.ts), which may turn a
   * document id into its text, so the limits and Apollo see the text that will run.
   */
  prepare?: (parts: GraphQLRequestParts, ctx: RequestContext) => Promise<GraphQLRequestParts>;
}

/** What a GraphQL request is before Apollo: the POST body as parsed JSON, or the GET's query string. */
export interface GraphQLRequestParts {
  readonly method: string;
  readonly body: unknown;
  readonly search: string;
}

/**
 * Bridges node:http to an Apollo Server (the supergraph door and every BFF door use it):
 * our body reader enforces the size limit and JSON errors, Apollo does the GraphQL-over-HTTP
 * part (GET rules, CSRF prevention, status codes).
 */
export function serveApollo(apollo: ApolloServer<GraphQLContext>, req: IncomingMessage, res: ServerResponse, ctx: RequestContext, options: ServeApolloOptions): Promise<void>;
/** A door whose resolvers need more than `{ request }` (a BFF's loaders) builds its own context value, once per request. */
export function serveApollo<TContext extends GraphQLContext>(
  apollo: ApolloServer<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  options: ServeApolloOptions,
  contextValue: () => Promise<TContext>,
): Promise<void>;
export async function serveApollo<TContext extends GraphQLContext>(
  apollo: ApolloServer<TContext>,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  options: ServeApolloOptions,
  // Only the first overload omits it, and its TContext is GraphQLContext.
  contextValue: () => Promise<TContext> = async () => ({ request: ctx }) as TContext,
): Promise<void> {
  const method = req.method ?? 'GET';
  const allowed = options.allowGet ? ['GET', 'POST'] : ['POST'];
  if (!allowed.includes(method)) throw new MethodNotAllowedError(method, allowed);

  const refuseDeep = (text: string): void => {
    const violation = findJsonDepthViolation(text, options.limits);
    if (violation) throw toOperationLimitError(violation);
  };
  let body = method === 'POST' ? await readJsonBody(req, options.bodyLimitBytes, refuseDeep) : undefined;
  let { search } = splitRequestUrl(req);
  if (options.prepare) ({ body, search } = await options.prepare({ method, body, search }, ctx));
  if (method === 'POST') {
    refuseOverLimitSources(body, options.limits);
  } else {
    const params = new URLSearchParams(search);
    for (const name of ['variables', 'extensions']) for (const value of params.getAll(name)) refuseDeep(value);
    refuseOverLimitSources(params.get('query'), options.limits);
  }

  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search, body };

  const result = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: contextValue });
  for (const [name, value] of result.headers) {
    // A list field the edge set already (the request bucket's rate-limit policy) gets a plugin's items after its own.
    res.setHeader(name, RATE_LIMIT_LIST_FIELDS.has(name) ? joinListField(res.getHeader(name), value) : value);
  }
  // Nothing computes a cache policy for GraphQL answers yet: say so, as Apollo's default did.
  if (!result.headers.has('cache-control')) res.setHeader('cache-control', 'no-store');
  res.setHeader('x-request-id', ctx.requestId);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    const bytes = answerBytes(result.body.string);
    res.setHeader('content-length', bytes.length);
    res.end(bytes);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * Size and token limits, checked on the raw text before Apollo parses anything (a plugin
 * cannot refuse before parsing), and the batch size when the body is an array.
 */
function refuseOverLimitSources(payload: unknown, limits: OperationLimitsConfig): void {
  const operations = Array.isArray(payload) ? payload : [payload];
  if (Array.isArray(payload)) {
    const batch = findBatchViolation(payload.length, limits.batching);
    if (batch) throw toOperationLimitError(batch);
  }
  for (const op of operations) {
    const query = typeof op === 'string' ? op : typeof op === 'object' && op !== null && 'query' in op ? op.query : undefined;
    if (typeof query !== 'string') continue;
    const violation = findSourceViolation(query, limits);
    if (violation) throw toOperationLimitError(violation);
  }
}
