import { serveSubgraph, type RunningSubgraph } from '../kit/serve-subgraph.ts';
import type { StartOptions } from '../kit/running-service.ts';
import { createLoaders, resolvers } from './resolvers.ts';

export const PRODUCTS_DEFAULT_PORT = 4002;

export function startProductsSubgraph(options: StartOptions = {}): Promise<RunningSubgraph> {
  return serveSubgraph({ name: 'products', defaultPort: PRODUCTS_DEFAULT_PORT, resolvers, createLoaders }, options);
}
