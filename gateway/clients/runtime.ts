import type { CallingClient, RequestContext } from '../context/request-context.ts';
import type { OperationLimitsConfig } from '../graphql/operation-limits/config.ts';
import type { GraphQLRequestParts } from '../graphql/apollo-http.ts';
import { RedisRateLimitStore } from '../rate-limit/redis-store.ts';
import type { RateLimitStore } from '../rate-limit/store.ts';
import type { Logger } from '../telemetry/logger.ts';
import { ApqStore } from './apq-store.ts';
import { ClientVersionPolicy } from './client-policy.ts';
import type { ClientsConfig } from './config.ts';
import { doorDocuments, type DocumentOutcome } from './door-documents.ts';
import { loadClientRegistry, type ClientRegistry } from './registry.ts';
import { TrustedDocuments } from './trusted-documents.ts';

export type DocumentStep = (parts: GraphQLRequestParts, ctx: RequestContext) => Promise<GraphQLRequestParts>;

export interface ClientRuntime {
  readonly registry: ClientRegistry;
  readonly apqStore: 'memory' | 'redis';
  /** The step of one door: `graphql` at `/graphql`, or a BFF by name at `/bff/<name>/graphql`. */
  forDoor(key: string): DocumentStep;
}

export interface ClientRuntimeDeps {
  readonly config: ClientsConfig;
  /** `loadDoorRegistry`'s: loaded first, since the metric labels need its names. */
  readonly registry: ClientRegistry;
  readonly limits: OperationLimitsConfig;
  readonly log: Logger;
  /** The rate limiter's store: a Redis one lends its connection to APQ. */
  readonly rateLimitStore: RateLimitStore;
  readonly onDocument: (door: string, client: CallingClient, outcome: DocumentOutcome) => void;
}

const MAX_PROBLEMS_LOGGED = 20;

/**
 * The registry the doors serve, read once at start-up (relative to the working directory).
 * Its problems are `schema:check`'s to fail on; here the operations concerned are simply
 * not registered, and start-up says so.
 */
export async function loadDoorRegistry(config: ClientsConfig, log: Logger, root = process.cwd()): Promise<ClientRegistry> {
  const registry = await loadClientRegistry({ root, dir: config.registryDir });
  for (const problem of registry.problems.slice(0, MAX_PROBLEMS_LOGGED)) {
    log.warn({ file: problem.file, line: problem.line, client: problem.client, version: problem.version }, `client registry: ${problem.message}`);
  }
  return registry;
}

/**
 * Everything the GraphQL doors need of the client registry, built once at start-up: the
 * trusted documents index, the APQ store, the version policy.
 */
export function createClientRuntime(deps: ClientRuntimeDeps): ClientRuntime {
  const { registry } = deps;
  const documents = new TrustedDocuments(registry);
  const redis = deps.rateLimitStore instanceof RedisRateLimitStore ? deps.rateLimitStore : undefined;
  const apq = new ApqStore(deps.config.apq, redis);
  const policy = new ClientVersionPolicy(deps.config);
  const shared = { config: deps.config, limits: deps.limits, documents, apq, policy, onDocument: deps.onDocument };
  return {
    registry,
    apqStore: apq.kind,
    forDoor: (key) =>
      key === 'graphql' ? doorDocuments({ key, path: '/graphql' }, shared) : doorDocuments({ key, path: `/bff/${key}/graphql`, client: key }, shared),
  };
}
