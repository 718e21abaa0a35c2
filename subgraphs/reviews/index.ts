import { serveSubgraph, type RunningSubgraph } from '../kit/serve-subgraph.ts';
import type { StartOptions } from '../kit/running-service.ts';
import { createLoaders, resolvers } from './resolvers.ts';

export const REVIEWS_DEFAULT_PORT = 4004;

export function startReviewsSubgraph(options: StartOptions = {}): Promise<RunningSubgraph> {
  return serveSubgraph({ name: 'reviews', defaultPort: REVIEWS_DEFAULT_PORT, resolvers, createLoaders }, options);
}
