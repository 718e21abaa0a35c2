import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { apolloParseOptions, operationLimitsPlugin } from './operation-limits/index.ts';
import { resolveIntrospection } from './operation-limits/config.ts';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import type { LoadedConfig } from '../config/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { targetFromUrl, type UpstreamRegistry } from '../upstream/registry.ts';
import { authorizationPlugin } from './authorization/plugin.ts';
import { enforcedSecurityFeatures } from './authorization/features.ts';
import type { GraphQLContext } from './context.ts';
import { formatGraphQLError } from './format-error.ts';
import { PipelineDataSource } from './subgraph-data-source.ts';
import { SupergraphFile } from './supergraph-file.ts';

export interface SupergraphDoor {
  readonly apollo: ApolloServer<GraphQLContext>;
  readonly supergraph: SupergraphFile;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `POST /graphql`: Apollo Server running @apollo/gateway over the composed supergraph.
 * Each subgraph's fetches go through that subgraph's upstream pipeline; a routing URL in
 * config (`subgraphs.<name>.url`) overrides the one in the supergraph.
 */
export function createSupergraphDoor(
  config: LoadedConfig,
  upstreams: UpstreamRegistry,
  log: Logger,
  extraPlugins: ReadonlyArray<ApolloServerPlugin<GraphQLContext> | null> = [],
): SupergraphDoor {
  const supergraph = new SupergraphFile(config.supergraph.path);
  // The gateway reads this switch from the environment only, in its constructor.
  if (!config.supergraph.apolloDataCollection) process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    // @authenticated / @requiresScopes are enforced here (authorizationPlugin, below), so
    // the gateway may be handed a supergraph that uses them.
    supergraphSdl: enforcedSecurityFeatures(supergraph),
    logger: log,
    buildService: ({ name, url }) => {
      const routingUrl = config.subgraphs[name]?.url ?? url;
      if (!routingUrl) throw new Error(`subgraph "${name}" has no routing URL: set subgraphs.${name}.url`);
      const pipeline = upstreams.pipeline(name, 'subgraph', [targetFromUrl(routingUrl)]);
      return new PipelineDataSource(name, pipeline.call);
    },
  });
  const apollo = new ApolloServer<GraphQLContext>({
    gateway,
    logger: log,
    formatError: formatGraphQLError,
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (drain, then stop); Apollo's handler would stop early and re-raise the signal.
    stopOnTerminationSignals: false,
    introspection: resolveIntrospection(config.operationLimits),
    parseOptions: apolloParseOptions(config.operationLimits),
    allowBatchedHttpRequests: config.operationLimits.batching.enabled,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      operationLimitsPlugin(config.operationLimits, { onViolation: (v) => log.info({ limit: v.limit, value: v.value, max: v.max }, 'operation limit exceeded') }),
      ...extraPlugins.filter((p): p is ApolloServerPlugin<GraphQLContext> => p !== null),
      // Last: the plugins before it see (and count) the operation the client sent, not the filtered one.
      authorizationPlugin(config.auth.graphql, log),
    ],
  });
  return {
    apollo,
    supergraph,
    start: () => apollo.start(),
    stop: () => apollo.stop(),
  };
}
