import { ApolloServer, HeaderMap } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse } from 'graphql';
import { bodyOf, startTestServer, type TestServer } from './http-server.ts';

export interface SdlSubgraph {
  /** The GraphQL endpoint, as a routing URL. */
  readonly url: string;
  readonly server: TestServer;
  close(): Promise<void>;
}

/**
 * A throwaway Federation 2 subgraph for tests: any SDL and resolvers, POST /graphql on a
 * free loopback port (recording requests like every test server).
 */
export async function startSdlSubgraph(sdl: string, resolvers: GraphQLResolverMap<unknown>): Promise<SdlSubgraph> {
  const apollo = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers }]), stopOnTerminationSignals: false });
  await apollo.start();
  const server = await startTestServer(async (req, res) => {
    const raw = await bodyOf(req);
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: '', body: raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined },
      context: async () => ({}),
    });
    for (const [k, v] of result.headers) res.setHeader(k, v);
    res.statusCode = result.status ?? 200;
    res.end(result.body.kind === 'complete' ? result.body.string : '');
  });
  return {
    url: `${server.url}/graphql`,
    server,
    close: async () => {
      await server.close();
      await apollo.stop();
    },
  };
}
