import type { RequestContext } from '../../gateway/context/request-context.ts';
import type { GraphQLContext } from '../../gateway/graphql/context.ts';
import { PartialFailures } from './partial-failures.ts';
import type { RestClient } from './rest-client.ts';
import type { SupergraphClient } from './supergraph-client.ts';

/** What a BFF's resolvers compose: shared by every request of every BFF. */
export interface BffServices {
  readonly supergraph: SupergraphClient;
  readonly rest: RestClient;
}

/** What a BFF's `createLoaders` gets: the services, bound to this request. */
export interface LoaderDeps extends BffServices {
  readonly request: RequestContext;
}

/**
 * The context every BFF resolver sees, created once per request by the BFF door. It is a
 * GraphQLContext (`request` is the edge's RequestContext), so gateway plugins and the
 * field rate limiter work on BFF doors unchanged.
 */
export interface BffContext<TLoaders> extends GraphQLContext, BffServices {
  readonly request: RequestContext;
  /** This request's DataLoaders: never shared with another request. */
  readonly loaders: TLoaders;
  /** Optional parts that failed and were answered with a fallback (partial-failures.ts). */
  readonly failures: PartialFailures;
}

export function createBffContext<TLoaders>(
  request: RequestContext,
  services: BffServices,
  createLoaders: (deps: LoaderDeps) => TLoaders,
): BffContext<TLoaders> {
  return {
    request,
    supergraph: services.supergraph,
    rest: services.rest,
    loaders: createLoaders({ ...services, request }),
    failures: new PartialFailures(),
  };
}
