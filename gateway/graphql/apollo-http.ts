import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import { readJsonBody } from '../http/read-body.ts';
import { MethodNotAllowedError } from '../errors/gateway-error.ts';
import type { RequestContext } from '../context/request-context.ts';
import type { GraphQLContext } from './context.ts';

/**
 * Bridges node:http to an Apollo Server (the supergraph door and every BFF door use it):
 * our body reader enforces the size limit and JSON errors, Apollo does the GraphQL-over-HTTP
 * part (GET rules, CSRF prevention, status codes).
 */
export async function serveApollo(
  apollo: ApolloServer<GraphQLContext>,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  options: { bodyLimitBytes: number; allowGet: boolean },
): Promise<void> {
  const method = req.method ?? 'GET';
  const allowed = options.allowGet ? ['GET', 'POST'] : ['POST'];
  if (!allowed.includes(method)) throw new MethodNotAllowedError(method, allowed);

  const body = method === 'POST' ? await readJsonBody(req, options.bodyLimitBytes) : undefined;
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search: q >= 0 ? url.slice(q) : '', body };

  const result = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => ({ request: ctx }) });
  for (const [name, value] of result.headers) res.setHeader(name, value);
  res.setHeader('x-request-id', ctx.requestId);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    res.setHeader('content-length', Buffer.byteLength(result.body.string));
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}
