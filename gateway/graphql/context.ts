import type { RequestContext } from '../context/request-context.ts';

/** The context value Apollo Server hands to resolvers and data sources on GraphQL doors. */
export type GraphQLContext = { readonly request: RequestContext };
