import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApolloGateway, RemoteGraphQLDataSource, type SupergraphManager } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { closeAllServices, startAllServices, type StartedService } from '../../../subgraphs/catalog.ts';
import { SupergraphFile } from '../../../gateway/graphql/supergraph-file.ts';
import { supergraphForApolloGateway } from '../../../gateway/graphql/authorization/features.ts';
import { signingFetcher } from '../../helpers/gateway-signature.ts';

const COMMITTED = readFileSync('schema/supergraph.graphql', 'utf8');
// What @apollo/gateway itself is handed: it refuses `for: SECURITY` features it does not
// enforce, and the door enforces @authenticated / @requiresScopes itself (authorization/).
const GOOD = supergraphForApolloGateway(COMMITTED);

/** Supergraphs the gateway must never switch to, each broken from a good one. */
const badFrom = (good: string): Readonly<Record<string, string>> => ({
  'not GraphQL': 'type Query { this is not graphql',
  'not a supergraph': 'type Query { a: Int }',
  'a join directive naming an unknown graph': good.replace('@join__type(graph: PRODUCTS', '@join__type(graph: NOPE'),
  'no Query type': good.replace(/type Query[\s\S]*?\n}\n/, ''),
  'an unknown type': good.replace(/\n(\s+)name: String!/, '\n$1name: Strin!'),
});
const BAD = badFrom(GOOD);

const QUERY = '{ product(id: "p1") { id name } }';

/**
 * What hot reload builds on: @apollo/gateway's `update` callback, given bad SDL, throws and
 * the schema in service stays the old one (queries still answered with real data from
 * the subgraphs). And SupergraphFile refuses the same SDL before the gateway sees it.
 */
describe('@apollo/gateway update with a bad supergraph', () => {
  let services: StartedService[];
  beforeAll(async () => {
    services = await startAllServices({ ports: 'free' });
  });
  afterAll(async () => {
    await closeAllServices(services ?? []);
  });

  for (const validateSupergraph of [true, false]) {
    it(`throws and keeps serving the old schema (validateSupergraph: ${validateSupergraph}${validateSupergraph ? '' : ', as under NODE_ENV=production'})`, async () => {
      let update: ((sdl: string) => void) | undefined;
      const manager: SupergraphManager = {
        initialize: async (hooks) => {
          update = hooks.update;
          return { supergraphSdl: GOOD };
        },
      };
      const urls = new Map(services.map((s) => [s.name, s.url]));
      const gateway = new ApolloGateway({
        supergraphSdl: manager,
        validateSupergraph,
        // Signed as our gateway signs: the demo subgraphs answer nothing unsigned.
        buildService: ({ name }) => {
          const source = new RemoteGraphQLDataSource({ url: urls.get(name) });
          source.fetcher = signingFetcher(source.fetcher, urls.get(name));
          return source;
        },
        logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      });
      const apollo = new ApolloServer({ gateway });
      await apollo.start();
      try {
        const answer = async (): Promise<unknown> => {
          const r = await apollo.executeOperation({ query: QUERY });
          return r.body.kind === 'single' ? r.body.singleResult : undefined;
        };
        const expected = await answer();
        expect(expected).toEqual({ data: { product: { id: 'p1', name: expect.any(String) } } });
        for (const [what, sdl] of Object.entries(BAD)) {
          expect(() => update?.(sdl), what).toThrow();
          expect(await answer(), what).toEqual(expected);
        }
      } finally {
        await apollo.stop();
      }
    });
  }

  it('SupergraphFile rejects every one of them before the gateway’s update is called', async () => {
    // The non-validating path (production) throws on a bad join graph only after it has
    // already recorded the new composition id: the gateway must only ever get valid SDL.
    const file = new SupergraphFile('schema/supergraph.graphql');
    const update = vi.fn<(sdl: string) => void>();
    await file.initialize({ update, healthCheck: async () => {}, getDataSource: () => new RemoteGraphQLDataSource({ url: 'http://127.0.0.1:1' }) });
    for (const [what, sdl] of Object.entries(badFrom(COMMITTED))) expect(file.apply(sdl).result, what).toBe('rejected');
    expect(update).not.toHaveBeenCalled();
    expect(file.apply(COMMITTED).result).toBe('unchanged');
    const changed = COMMITTED.replace('type Query', '"""reloaded"""\ntype Query');
    expect(file.apply(changed).result).toBe('updated');
    expect(update).toHaveBeenCalledExactlyOnceWith(changed);
  });
});
