import type { IncomingHttpHeaders } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { supergraphForApolloGateway } from '../../gateway/graphql/authorization/features.ts';
import { signingFetcher } from './gateway-signature.ts';

export interface StockGateway {
  /** The GraphQL endpoint (`http://127.0.0.1:<port>/`: the standalone server answers on every path). */
  readonly url: string;
  close(): Promise<void>;
}

export interface StockGatewayOptions {
  /** Routing URL per subgraph name, replacing the supergraph's `@join__graph(url:)`. */
  subgraphUrls?: Readonly<Record<string, string>>;
  /**
   * Request headers copied onto every subgraph fetch. Stock @apollo/gateway forwards none;
   * the demo subgraphs read the caller from `x-user-*` (which our gateway derives from a
   * verified token), so a test that gives both gateways the same caller names them here.
   * Default: none (exactly the stock data source).
   */
  forwardHeaders?: readonly string[];
}

interface StockContext {
  readonly headers: IncomingHttpHeaders;
}

/**
 * Stock `@apollo/gateway` on `@apollo/server` (standalone, default settings) in this
 * process, on a free loopback port: the reference our gateway's answers are compared with
 * (the bench runs the same thing in a child process, test/bench/stock-gateway.ts). It gets
 * the supergraph copy our gateway hands its own planner (`supergraphForApolloGateway`:
 * stock refuses `for: SECURITY` links it does not enforce); its data sources are stock
 * `RemoteGraphQLDataSource`s with three changes, all below: Node's fetch as the HTTP
 * client, each fetch signed with the dev key (as our gateway signs; the demo subgraphs
 * answer nothing unsigned), and the `forwardHeaders` a test asks for; and no stack traces
 * in errors.
 */
export async function startStockGateway(supergraphSdl: string, options: StockGatewayOptions = {}): Promise<StockGateway> {
  let sdl = supergraphSdl;
  for (const [name, url] of Object.entries(options.subgraphUrls ?? {})) {
    const pattern = new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`);
    if (!pattern.test(sdl)) throw new Error(`stock gateway: the supergraph has no subgraph "${name}"`);
    sdl = sdl.replace(pattern, `$1${url}$2`);
  }
  const forward = (options.forwardHeaders ?? []).map((h) => h.toLowerCase());
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphForApolloGateway(sdl),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<StockContext>({
        url,
        // Node's fetch instead of the default make-fetch-happen client: that one keeps idle
        // sockets forever, so now and then it reuses one the subgraph server is closing at
        // that moment (node's 5 s keep-alive) and the fetch fails with ECONNRESET. That is
        // a flake of stock's HTTP client, not of the executor these tests compare with;
        // Node's fetch (undici) drops idle sockets before the server does.
        // Signed as our gateway signs: the demo subgraphs answer nothing else.
        fetcher: signingFetcher(fetch, url),
        willSendRequest({ request, context }) {
          for (const name of forward) {
            const value = context.headers?.[name];
            if (value !== undefined) request.http?.headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
        },
      }),
  });
  // Its default under NODE_ENV=test or production (so under vitest); stated so a run with
  // another NODE_ENV does not add stack traces (which our gateway never sends) to errors.
  const server = new ApolloServer<StockContext>({ gateway, includeStacktraceInErrorResponses: false });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => ({ headers: req.headers }),
  });
  return { url, close: () => server.stop() };
}
