import { serveSubgraph, type RunningSubgraph } from '../kit/serve-subgraph.ts';
import type { StartOptions } from '../kit/running-service.ts';
import { seedOrders } from './data.ts';
import { createLoaders, createResolvers } from './resolvers.ts';
import { OrderStore } from './store.ts';

export const ORDERS_DEFAULT_PORT = 4003;

/** Each start gets a fresh store from the seed, so mutations never leak between runs. */
export function startOrdersSubgraph(options: StartOptions = {}): Promise<RunningSubgraph> {
  const store = new OrderStore(seedOrders());
  return serveSubgraph(
    {
      name: 'orders',
      defaultPort: ORDERS_DEFAULT_PORT,
      resolvers: createResolvers(store),
      createLoaders: (stats) => createLoaders(store, stats),
    },
    options,
  );
}
