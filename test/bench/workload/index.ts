/**
 * The public graphql-gateways-benchmark workload, for the bench and for tests: four
 * subgraphs (started in-process on free loopback ports), their composed supergraph, and the
 * TestQuery.
 */
export { startWorkloadSubgraphs, fetchWorkloadRequests, fetchRecentRequests, WORKLOAD_SUBGRAPH_NAMES, type WorkloadSubgraphs, type WorkloadSubgraphName } from './subgraphs.ts';
export { WORKLOAD_SUPERGRAPH_PATH, composeWorkloadSupergraph, supergraphWithUrls } from './compose.ts';
export { WORKLOAD_QUERY, WORKLOAD_BODY } from './query.ts';
