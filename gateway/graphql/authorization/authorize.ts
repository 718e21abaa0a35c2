import type { DocumentNode, GraphQLFormattedError, OperationDefinitionNode } from 'graphql';
import type { GraphQLAuthorizationConfig } from '../../auth/config.ts';
import type { Principal } from '../../context/principal.ts';
import { UnauthorizedFieldError } from '../../errors/gateway-error.ts';
import { toGraphQLErrorJson } from '../../errors/render.ts';
import { completeFilteredResult } from './complete-result.ts';
import type { FilteredOperation, Refused } from './filter-operation.ts';
import type { SchemaAuthorization } from './schema-authorization.ts';

/** What authorization makes of an operation before anything is planned. */
export type AuthorizationDecision =
  | { readonly kind: 'allowed' }
  /** `auth.graphql.unauthorized: reject`: the whole operation is refused with this error. */
  | { readonly kind: 'rejected'; readonly error: UnauthorizedFieldError }
  /** Run `filtered.document` instead (unless `filtered.empty`), then complete with `complete`. */
  | { readonly kind: 'filtered'; readonly filtered: FilteredOperation; readonly complete: Completion };

export type Completion = (result: {
  readonly data: Record<string, unknown> | null;
  readonly operationName: string | null | undefined;
  readonly variables: Record<string, unknown> | undefined;
}) => Promise<{ data: Record<string, unknown> | null; errors: GraphQLFormattedError[] }>;

/**
 * The one authorization step of every supergraph operation, whichever way it came in (the
 * `/graphql` door's plugin, a BFF's call to the engine): which selections the caller may
 * not see, and how to put them back as nulls with UNAUTHENTICATED / FORBIDDEN errors.
 */
export function authorizeOperation(
  authorization: SchemaAuthorization,
  config: GraphQLAuthorizationConfig,
  principal: Principal,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): AuthorizationDecision {
  if (authorization.requirements.all.length === 0) return ALLOWED;
  const refusals = authorization.refusalsFor(principal);
  if (refusals.size === 0) return ALLOWED;
  const filtered = authorization.filter(document, operation, refusals);
  if (!filtered) return ALLOWED;
  const errorOf = (refused: Refused): UnauthorizedFieldError => {
    const refusal = refusals.get(refused.requirement);
    if (!refusal) throw new Error(`no refusal recorded for ${refused.coordinate}`);
    return new UnauthorizedFieldError(refusal, refused.coordinate);
  };
  if (config.unauthorized === 'reject') return { kind: 'rejected', error: errorOf(filtered.first) };
  return {
    kind: 'filtered',
    filtered,
    complete: async ({ data, operationName, variables }) => {
      const completed = await completeFilteredResult({
        schema: authorization.completionSchema,
        document,
        operationName,
        variables,
        data,
        removals: filtered.removals,
      });
      const errors = completed.refusals.map(({ path, refused }) => ({
        ...toGraphQLErrorJson(errorOf(refused), 'field'),
        ...(path.length > 0 ? { path } : {}),
      }));
      return { data: completed.data, errors };
    },
  };
}

const ALLOWED: AuthorizationDecision = { kind: 'allowed' };
