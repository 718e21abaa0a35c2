import { buildSchema, printSchema, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Principal } from '../../context/principal.ts';
import { decide, type Refusal } from './decide.ts';
import { FieldGuards } from './field-guards.ts';
import { filterOperation, type FilteredOperation } from './filter-operation.ts';
import { readRequirements, type Requirement, type Requirements } from './requirements.ts';

/** Filtered variants kept per operation: one per distinct set of refused requirements. */
const MAX_VARIANTS_PER_OPERATION = 16;
/** Decisions kept per distinct caller capability (anonymous, or a set of scopes). */
const MAX_CAPABILITIES = 1024;

/**
 * Everything authorization needs about one supergraph, built once when it loads: its
 * requirements, what each field asks, and the filtered operations already computed.
 */
export class SchemaAuthorization {
  readonly requirements: Requirements;
  readonly #guards: FieldGuards;
  // Keyed by the operation node: Apollo keeps parsed documents in its own bounded store, so
  // an operation sent again is the same node, and a forgotten one takes its entries along.
  readonly #filtered = new WeakMap<OperationDefinitionNode, Map<string, FilteredOperation | null>>();
  #completionSchema: GraphQLSchema | undefined;
  readonly #decisions = new Map<string, ReadonlyMap<Requirement, Refusal>>();
  // A session's principal is one object (the verified-token cache hands it out again), so
  // most requests find their decision here without building the capability key.
  readonly #byPrincipal = new WeakMap<Principal, ReadonlyMap<Requirement, Refusal>>();

  constructor(
    private readonly schema: GraphQLSchema,
    supergraphSdl: string,
  ) {
    this.requirements = readRequirements(supergraphSdl);
    this.#guards = new FieldGuards(schema, this.requirements);
  }

  /**
   * Which requirements this caller fails. A decision depends only on whether the caller is
   * anonymous and on its scopes, so it is made once per such capability, not per request
   * (most callers share a handful; refusals are exceptions, which are not free).
   */
  refusalsFor(principal: Principal): ReadonlyMap<Requirement, Refusal> {
    if (this.requirements.all.length === 0) return NONE;
    const known = this.#byPrincipal.get(principal);
    if (known) return known;
    const key = principal.kind === 'anonymous' ? '' : `+${[...principal.scopes].sort().join(' ')}`;
    let refusals = this.#decisions.get(key);
    if (refusals) {
      this.#byPrincipal.set(principal, refusals);
      return refusals;
    }
    const decided = new Map<Requirement, Refusal>();
    for (const requirement of this.requirements.all) {
      const refusal = decide(requirement, principal);
      if (refusal) decided.set(requirement, refusal);
    }
    refusals = decided;
    // Bounded: scopes come from verified tokens, but a map keyed by callers must still stop somewhere.
    if (this.#decisions.size >= MAX_CAPABILITIES) this.#decisions.clear();
    this.#decisions.set(key, refusals);
    this.#byPrincipal.set(principal, refusals);
    return refusals;
  }

  /**
   * The served schema's shape without any resolvers, to complete filtered results on
   * (complete-result.ts). Not the served object itself: Apollo Server wraps its fields'
   * resolvers for its plugins, and those would answer instead of ours. Built on first use.
   */
  get completionSchema(): GraphQLSchema {
    this.#completionSchema ??= buildSchema(printSchema(this.schema), { assumeValid: true });
    return this.#completionSchema;
  }

  /**
   * `operation` without what a caller refused `refused` may not see, or null when it needs
   * nothing removed. The result depends only on which requirements are refused, so it is
   * computed once per operation and combination.
   */
  filter(document: DocumentNode, operation: OperationDefinitionNode, refused: ReadonlyMap<Requirement, unknown>): FilteredOperation | null {
    const signature = this.requirements.all.map((r) => (refused.has(r) ? '1' : '0')).join('');
    let variants = this.#filtered.get(operation);
    if (!variants) {
      variants = new Map();
      this.#filtered.set(operation, variants);
    }
    const cached = variants.get(signature);
    if (cached !== undefined) return cached;
    const result = filterOperation(this.schema, document, operation, this.#guards, (r) => refused.has(r));
    if (variants.size >= MAX_VARIANTS_PER_OPERATION) variants.delete(variants.keys().next().value as string);
    variants.set(signature, result);
    return result;
  }
}

const NONE: ReadonlyMap<Requirement, Refusal> = new Map();
