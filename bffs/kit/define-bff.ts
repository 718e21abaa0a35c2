import { readFileSync } from 'node:fs';
import { buildSchema, type GraphQLSchema } from 'graphql';
import type { AccessRequirement } from '../../gateway/auth/access-policy.ts';
import type { RequestContext } from '../../gateway/context/request-context.ts';
import { rateLimitDirectiveTypeDefs } from '../../gateway/rate-limit/index.ts';
import { attachResolvers, type BffResolvers } from './attach-resolvers.ts';
import { createBffContext, type BffContext, type BffServices, type LoaderDeps } from './bff-context.ts';

/** Everything one BFF is, in its own folder's index.ts. */
export interface BffDefinition<TLoaders> {
  /** The client: the path segment (`/bff/<name>/graphql`) and the request's clientName. */
  readonly name: string;
  /** The BFF's schema.graphql. It may use `@rateLimit` (gateway/rate-limit/field-limits.ts) without declaring it. */
  readonly schemaPath: URL;
  readonly resolvers: BffResolvers<BffContext<TLoaders>>;
  /** This BFF's DataLoaders, created once per request. */
  readonly createLoaders: (deps: LoaderDeps) => TLoaders;
  /** Who may call this BFF at all; checked at the door before the body is read. */
  readonly access: AccessRequirement;
}

/** A defined BFF, its loaders' type sealed in, so the door can hold BFFs of every kind in one list. */
export interface Bff {
  readonly name: string;
  readonly access: AccessRequirement;
  /** Builds the executable schema (SDL + resolvers). Called once, at start-up. */
  createSchema(): GraphQLSchema;
  /** The context of one request. */
  createContext(request: RequestContext, services: BffServices): BffContext<unknown>;
}

const NAME = /^[a-z][a-z0-9-]*$/;

export function defineBff<TLoaders>(definition: BffDefinition<TLoaders>): Bff {
  if (!NAME.test(definition.name)) throw new Error(`bff name "${definition.name}": lower-case letters, digits and dashes`);
  return Object.freeze({
    name: definition.name,
    access: definition.access,
    createSchema: () => {
      const sdl = readFileSync(definition.schemaPath, 'utf8');
      return attachResolvers(buildSchema(`${rateLimitDirectiveTypeDefs}\n${sdl}`), definition.resolvers, definition.name);
    },
    createContext: (request: RequestContext, services: BffServices) => createBffContext(request, services, definition.createLoaders),
  });
}
