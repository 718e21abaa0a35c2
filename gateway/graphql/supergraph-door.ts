import { ApolloGateway, type SupergraphManager } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import type { FormattedExecutionResult } from 'graphql';
import { apolloParseOptions, operationLimitsPlugin } from './operation-limits/index.ts';
import { resolveIntrospection } from './operation-limits/config.ts';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import type { LoadedConfig } from '../config/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { targetFromUrl, type UpstreamRegistry } from '../upstream/registry.ts';
import { AuthorizationBySchema, authorizationPlugin } from './authorization/plugin.ts';
import { enforcedSecurityFeatures } from './authorization/features.ts';
import type { GraphQLContext } from './context.ts';
import { formatGraphQLError } from './format-error.ts';
import { PipelineDataSource } from './subgraph-data-source.ts';
import { SupergraphFile } from './supergraph-file.ts';
import { SupergraphEngine, type EngineEvents } from './engine/engine.ts';
import type { UpstreamCall } from '../upstream/types.ts';

export interface SupergraphDoor {
  readonly apollo: ApolloServer<GraphQLContext>;
  readonly supergraph: SupergraphFile;
  /** Our engine; null when `engine.executor` is `stock` (then BFFs go through `apollo`). */
  readonly engine: SupergraphEngine | null;
  readonly authorizations: AuthorizationBySchema;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `POST /graphql`: Apollo Server (GraphQL over HTTP, parsing, validation, plugins) over the
 * supergraph engine, which plans with Apollo's query planner and executes with our
 * executor. With `engine.executor: stock`, @apollo/gateway plans and executes instead.
 * Either way each subgraph's fetches go through that subgraph's upstream pipeline; a
 * routing URL in config (`subgraphs.<name>.url`) overrides the one in the supergraph.
 */
export function createSupergraphDoor(
  config: LoadedConfig,
  upstreams: UpstreamRegistry,
  log: Logger,
  extraPlugins: ReadonlyArray<ApolloServerPlugin<GraphQLContext> | null> = [],
  engineEvents?: EngineEvents,
): SupergraphDoor {
  // @apollo/gateway reads this switch from the environment only, in its constructor; set
  // whichever executor runs, so no ApolloGateway in this process phones home.
  if (!config.supergraph.apolloDataCollection) process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const supergraph = new SupergraphFile(config.supergraph.path);
  const authorizations = new AuthorizationBySchema(log);
  const pipelineFor = (name: string, url: string | undefined): UpstreamCall => {
    const routingUrl = config.subgraphs[name]?.url ?? url;
    if (!routingUrl) throw new Error(`subgraph "${name}" has no routing URL: set subgraphs.${name}.url`);
    return upstreams.pipeline(name, 'subgraph', [targetFromUrl(routingUrl)]).call;
  };

  let engine: SupergraphEngine | null = null;
  let gateway: GatewayInterface;
  if (config.engine.executor === 'ours') {
    engine = new SupergraphEngine({ config: config.engine, log, pipelineFor, events: engineEvents, authorization: { config: config.auth.graphql, authorizations } });
    gateway = engine.gateway(supergraph);
  } else {
    gateway = stockGateway(config, supergraph, log, pipelineFor);
  }

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
    // APQ and registered documents are the door's (gateway/clients/door-documents.ts, `clients.apq`): Apollo's own per-instance cache is off.
    persistedQueries: false,
    stringifyResult: sharedSerialization(),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Apollo's cache-control plugin wraps every resolved field to compute a policy we do
      // not serve (responses say `no-store`, apollo-http.ts): pure per-field cost.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      operationLimitsPlugin(config.operationLimits, { onViolation: (v) => log.info({ limit: v.limit, value: v.value, max: v.max }, 'operation limit exceeded') }),
      ...extraPlugins.filter((p): p is ApolloServerPlugin<GraphQLContext> => p !== null),
      // Last: the plugins before it see (and count) the operation the client sent, not the filtered one.
      authorizationPlugin(config.auth.graphql, authorizations),
    ],
  });
  return {
    apollo,
    supergraph,
    engine,
    authorizations,
    start: () => apollo.start(),
    stop: () => apollo.stop(),
  };
}

/** @apollo/gateway planning and executing, as before the engine: kept for one release to compare and fall back. */
function stockGateway(config: LoadedConfig, supergraph: SupergraphManager, log: Logger, pipelineFor: (name: string, url: string | undefined) => UpstreamCall): GatewayInterface {
  return new ApolloGateway({
    // @authenticated / @requiresScopes are enforced by authorizationPlugin, so the gateway
    // may be handed a supergraph that uses them.
    supergraphSdl: enforcedSecurityFeatures(supergraph),
    logger: log,
    buildService: ({ name, url }) => new PipelineDataSource(name, pipelineFor(name, url)),
  });
}

/**
 * Apollo Server's serialization (`JSON.stringify` and a newline), done once per answer
 * object: requests that shared one execution (`engine.dedup.inboundOperations`) share its
 * `data`, and a big answer is then serialized once, not once per waiting client. Only a
 * bare `{ data }` is kept (errors and extensions are built per request anyway).
 */
function sharedSerialization(): (result: FormattedExecutionResult) => string {
  const texts = new WeakMap<object, string>();
  return (result) => {
    const { data } = result;
    if (!data || result.errors !== undefined || result.extensions !== undefined) return `${JSON.stringify(result)}\n`;
    let text = texts.get(data);
    if (text === undefined) {
      text = `${JSON.stringify(result)}\n`;
      texts.set(data, text);
    }
    return text;
  };
}
