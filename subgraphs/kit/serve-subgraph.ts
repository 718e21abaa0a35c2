import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type ApolloServerOptions, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse } from 'graphql';
import { checkBody, createServiceVerifier, sendRefusal, verifyRequest } from './gateway-signature.ts';
import { startHttpService } from './http-service.ts';
import { identityFromHeaders, type Identity } from './identity.ts';
import { BodyError, parseJson, readBody, sendError, sendJson } from './json-http.ts';
import { LoaderStats, type LoaderCount } from './loader-stats.ts';
import type { RunningService, StartOptions } from './running-service.ts';

/** What every subgraph resolver sees: the caller and this request's loaders. */
export interface SubgraphContext<Loaders> {
  readonly identity: Identity;
  readonly loaders: Loaders;
}

export type SubgraphResolvers<Loaders> = GraphQLResolverMap<SubgraphContext<Loaders>>;

export interface SubgraphDefinition<Loaders> {
  /** Also the SDL file: schema/<name>.graphql, the same file supergraph.yaml composes. */
  readonly name: string;
  readonly defaultPort: number;
  readonly resolvers: SubgraphResolvers<Loaders>;
  /** Called once per request, so a batch never spans two callers. */
  readonly createLoaders: (stats: LoaderStats) => Loaders;
}

export interface RunningSubgraph extends RunningService {
  readonly kind: 'subgraph';
  /** Batch lookups per loader since start (or the last reset); also served at GET /stats. */
  stats(): Record<string, LoaderCount>;
  resetStats(): void;
}

// Apollo's default logger announces plugins at info level, once per subgraph start: noise in
// test output. Warnings and errors still reach stderr.
const QUIET_LOGGER: NonNullable<ApolloServerOptions<object>['logger']> = {
  debug: () => {},
  info: () => {},
  warn: (...args: unknown[]) => console.warn(...args),
  error: (...args: unknown[]) => console.error(...args),
};

const SCHEMA_DIR = new URL('../../schema/', import.meta.url);
const BODY_LIMIT_BYTES = 4 * 1_048_576;

export function subgraphSdl(name: string): string {
  return readFileSync(new URL(`${name}.graphql`, SCHEMA_DIR), 'utf8');
}

const GRAPHQL_PATH = '/graphql';

/**
 * Runs one subgraph: `buildSubgraphSchema` over its SDL in schema/ and its resolvers, on
 * Apollo Server bridged to node:http. Routes: `/graphql` (GET and POST), `/health`, `/stats`.
 *
 * `/graphql` answers only requests the gateway signed (gateway-signature.ts): 401 with
 * `SIGNATURE_REQUIRED`, `SIGNATURE_INVALID` or `SIGNATURE_EXPIRED` otherwise. The signed
 * path is the target below `/graphql` (the gateway signs the path below the routing URL,
 * so a proxy that rewrites the prefix does not break it), and a POST's body must be the
 * one whose digest was signed.
 */
export async function serveSubgraph<Loaders>(def: SubgraphDefinition<Loaders>, options: StartOptions = {}): Promise<RunningSubgraph> {
  const verifier = createServiceVerifier(options.signature);
  const schema = buildSubgraphSchema([{ typeDefs: parse(subgraphSdl(def.name)), resolvers: def.resolvers }]);
  const apollo = new ApolloServer<SubgraphContext<Loaders>>({
    schema,
    includeStacktraceInErrorResponses: false,
    logger: QUIET_LOGGER,
    // The process owner decides what a signal means; Apollo's own handler re-raises it.
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();
  const stats = new LoaderStats();

  const graphql = async (req: IncomingMessage, res: ServerResponse, search: string): Promise<void> => {
    const verified = verifyRequest(verifier, req, (req.url ?? '').slice(GRAPHQL_PATH.length));
    if (!verified.ok) return sendRefusal(res, verified, 'graphql');
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') return sendError(res, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed`, { allow: 'GET, POST' });
    let body: unknown;
    if (method === 'POST') {
      try {
        const bytes = await readBody(req, BODY_LIMIT_BYTES);
        // Every GraphQL POST goes to the same path: only the body says what is asked.
        const checked = checkBody(verified, bytes, true);
        if (!checked.ok) return sendRefusal(res, checked, 'graphql');
        body = parseJson(bytes);
      } catch (error) {
        if (error instanceof BodyError) return sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] });
        throw error;
      }
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search, body };
    const context = async (): Promise<SubgraphContext<Loaders>> => ({
      identity: identityFromHeaders(req.headers),
      loaders: def.createLoaders(stats),
    });
    const result = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context });
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(result.body.string));
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  };

  const http = await startHttpService(
    { host: options.host, port: options.port ?? def.defaultPort },
    async (req, res) => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q >= 0 ? url.slice(0, q) : url;
      if (path === GRAPHQL_PATH) return graphql(req, res, q >= 0 ? url.slice(q) : '');
      if (path === '/health' && req.method === 'GET') return sendJson(res, 200, { status: 'ok', service: def.name });
      if (path === '/stats' && req.method === 'GET') return sendJson(res, 200, { service: def.name, loaders: stats.snapshot() });
      sendError(res, 404, 'NOT_FOUND', `no route for ${req.method ?? 'GET'} ${path}`);
    },
    () => apollo.stop(),
  );

  return {
    name: def.name,
    kind: 'subgraph',
    url: `${http.origin}/graphql`,
    port: http.port,
    close: http.close,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
  };
}
