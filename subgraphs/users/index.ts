import { serveSubgraph, type RunningSubgraph } from '../kit/serve-subgraph.ts';
import type { StartOptions } from '../kit/running-service.ts';
import { createLoaders, resolvers } from './resolvers.ts';

export const USERS_DEFAULT_PORT = 4001;

export function startUsersSubgraph(options: StartOptions = {}): Promise<RunningSubgraph> {
  return serveSubgraph({ name: 'users', defaultPort: USERS_DEFAULT_PORT, resolvers, createLoaders }, options);
}
