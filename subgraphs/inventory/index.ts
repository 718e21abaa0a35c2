import { serveSubgraph, type RunningSubgraph } from '../kit/serve-subgraph.ts';
import type { StartOptions } from '../kit/running-service.ts';
import { createLoaders, resolvers } from './resolvers.ts';

export const INVENTORY_DEFAULT_PORT = 4005;

export function startInventorySubgraph(options: StartOptions = {}): Promise<RunningSubgraph> {
  return serveSubgraph({ name: 'inventory', defaultPort: INVENTORY_DEFAULT_PORT, resolvers, createLoaders }, options);
}
