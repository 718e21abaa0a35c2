import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { supergraphForApolloGateway } from '../../gateway/graphql/authorization/features.ts';
import { signingFetcher } from '../helpers/gateway-signature.ts';

/**
 * The baseline: stock @apollo/gateway on @apollo/server with default settings, serving the
 * same supergraph. Only the routing URLs are rewritten to where the bench's subgraphs run,
 * and its data collection to Apollo is off (APOLLO_TELEMETRY_DISABLED, set by run.ts): the
 * bench stays on loopback, and it only costs a periodic export anyway.
 */
const urls = JSON.parse(process.env.SUBGRAPH_URLS ?? '{}') as Record<string, string>;
let sdl = readFileSync(process.env.SUPERGRAPH_PATH ?? 'schema/supergraph.graphql', 'utf8');
for (const [name, url] of Object.entries(urls)) {
  sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${url}$2`);
}
// Stock @apollo/gateway refuses a supergraph whose @authenticated/@requiresScopes links are
// `for: SECURITY` (it enforces neither): it gets the copy our gateway hands its own planner.
// Its own data source and HTTP client (what ApolloGateway builds by default), each fetch
// signed with the dev key as ours signs: the demo subgraphs answer nothing unsigned, and
// both gateways then pay for an HMAC per subgraph call.
const buildService = ({ url }: { url?: string }): RemoteGraphQLDataSource => {
  const source = new RemoteGraphQLDataSource({ url });
  source.fetcher = signingFetcher(source.fetcher, url);
  return source;
};
const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: supergraphForApolloGateway(sdl), buildService }) });
const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: Number(process.env.PORT ?? 0) } });
process.stdout.write(`STOCK READY ${url}\n`);
