import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import type { LoadedConfig } from '../../gateway/config/index.ts';
import { formatGraphQLError } from '../../gateway/graphql/format-error.ts';
import { apolloParseOptions, operationLimitsPlugin, resolveIntrospection } from '../../gateway/graphql/operation-limits/index.ts';
import { applyRateLimitDirective, type FieldRateLimiter } from '../../gateway/rate-limit/index.ts';
import type { Logger } from '../../gateway/telemetry/logger.ts';
import type { BffContext } from './bff-context.ts';
import type { Bff } from './define-bff.ts';
import { partialFailuresPlugin } from './partial-failures.ts';

export type BffServer = ApolloServer<BffContext<unknown>>;
export type BffPlugin = ApolloServerPlugin<BffContext<unknown>>;

export interface BffServerOptions {
  readonly config: LoadedConfig;
  readonly log: Logger;
  /** Enforces the schema's `@rateLimit` fields; null leaves them unenforced (rate limiting is off). */
  readonly fieldLimiter: FieldRateLimiter<BffContext<unknown>> | null;
  readonly plugins?: ReadonlyArray<BffPlugin | null>;
}

/**
 * One BFF's Apollo Server: its own schema and resolvers, with the supergraph door's
 * error formatting, operation limits and introspection rule, so a client sees the same
 * conventions on every GraphQL door.
 */
export function createBffServer(bff: Bff, options: BffServerOptions): BffServer {
  const { config, log } = options;
  const schema = bff.createSchema();
  if (options.fieldLimiter) applyRateLimitDirective(schema, options.fieldLimiter);
  return new ApolloServer<BffContext<unknown>>({
    schema,
    logger: log,
    formatError: formatGraphQLError,
    includeStacktraceInErrorResponses: false,
    // Shutdown is the gateway's (drain, then stop), as for the supergraph door.
    stopOnTerminationSignals: false,
    introspection: resolveIntrospection(config.operationLimits),
    parseOptions: apolloParseOptions(config.operationLimits),
    allowBatchedHttpRequests: config.operationLimits.batching.enabled,
    // APQ and registered documents are the door's (gateway/clients/door-documents.ts, `clients.apq`): Apollo's own per-instance cache is off.
    persistedQueries: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Apollo's cache-control plugin wraps every resolved field to compute a policy we do
      // not serve (responses say `no-store`, apollo-http.ts): pure per-field cost.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      operationLimitsPlugin(config.operationLimits, {
        onViolation: (v) => log.info({ bff: bff.name, limit: v.limit, value: v.value, max: v.max }, 'operation limit exceeded'),
      }),
      partialFailuresPlugin(),
      ...(options.plugins ?? []).filter((p): p is BffPlugin => p !== null),
    ],
  });
}
