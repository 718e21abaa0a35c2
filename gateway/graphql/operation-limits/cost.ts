import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type FieldNode,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { argumentScope, argumentWeight, sizesFrom, type ArgumentScope } from './argument-values.ts';
import { costDirectivesOf, NO_COST_DIRECTIVES, type CostDirectives, type ListSizeDirective } from './cost-directives.ts';
import { isIntrospectionField, type FragmentMap } from './walk.ts';

export interface CostOptions {
  /** Types tell which fields are lists, which branches exclude each other, and carry `@cost`/`@listSize`. */
  schema?: GraphQLSchema | undefined;
  /** Request variables, for `first: $n`. */
  variables?: Readonly<Record<string, unknown>> | null | undefined;
  defaultListSize: number;
  listSizeArguments: readonly string[];
  maxAssumedFanOut: number;
}

type Fielded = GraphQLObjectType | GraphQLInterfaceType;

/** Where a selection set is measured: what its lists may assume, and what a parent sized for them. */
interface Scope {
  /** How much further a guessed (`defaultListSize`) size may multiply: maxAssumedFanOut ÷ the fan-out so far. */
  readonly budget: number;
  /** A size a parent hands to list fields below it: a connection's `first` (any list right below) or `@listSize(sizedFields:)`. */
  readonly handed?: { readonly size: number; readonly fields: readonly string[] | 'any' } | undefined;
}

/**
 * An estimate of the work an operation asks for, in resolved fields (an upper bound
 * wherever list sizes are known: asked for, or declared by the schema):
 *
 *   cost(field) = weight + size × (item weight + cost(selections))      (size 1 for a non-list)
 *
 * - weight: the field's `@cost(weight:)`, else 1, plus the `@cost` of the arguments and
 *   input fields it is given; `__typename` costs nothing. Item weight: the `@cost` of the
 *   returned type, else 0.
 * - size: a slicing argument's value (`@listSize(slicingArguments:)`, else the configured
 *   `listSizeArguments`: literal, variable, variable default, then the argument's schema
 *   default); else a size handed down (a connection's `first` sizes the lists right under
 *   it — `@listSize(sizedFields:)`, or any list directly below a sized non-list field);
 *   else `@listSize(assumedSize:)`; else a guess, `defaultListSize` (each inner level of
 *   `[[T]]` is a guess too).
 * - A guess never takes the fan-out (how many times the field would be resolved) past
 *   `maxAssumedFanOut`: nested unsized lists stop compounding a guess into a bound no real
 *   data has (10 users × 10 reviews × 10 products × 10 reviews is a guess of 10,000). Sizes
 *   a client asks for and sizes the schema declares always count in full. Exception: a
 *   list whose `@listSize` requires a slicing argument and got none is guessed at
 *   `defaultListSize` whatever the fan-out (the client skipped the bound the schema demands).
 * - An object is one type at runtime: for an abstract type the cost is the costliest
 *   possible type's (its fields plus the fragments that apply to it), not the sum of every
 *   type's fragments. Without a schema, branches are summed (nothing says they exclude each other).
 * - Introspection fields cost 1 each and do not multiply: their lists are the schema's, in
 *   memory, and their nesting is held by the depth limit and graphql's MaxIntrospectionDepthRule.
 */
export function costOf(operation: OperationDefinitionNode, fragments: FragmentMap, options: CostOptions): number {
  // The same operation node comes back on every request of a cached document (Apollo keeps
  // parsed documents), and both the limits and the expensive-operations budget ask: the
  // walk is done once per operation, schema, limits and variables.
  const key = `${options.defaultListSize}|${options.maxAssumedFanOut}|${options.listSizeArguments.join(',')}|${options.variables ? JSON.stringify(options.variables) : ''}`;
  // By the schema's cost directives (one object per schema, replaced when the supergraph's are registered for it).
  const directives = options.schema ? costDirectivesOf(options.schema) : undefined;
  const bySchema = directives ? (COSTS.get(directives) ?? new WeakMap<OperationDefinitionNode, Map<string, number>>()) : undefined;
  if (directives && bySchema && !COSTS.has(directives)) COSTS.set(directives, bySchema);
  const known = bySchema?.get(operation);
  const cached = known?.get(key);
  if (cached !== undefined) return cached;
  const cost = Math.min(new CostWalk(operation, fragments, options).run(), Number.MAX_SAFE_INTEGER);
  if (bySchema) {
    const costs = known ?? new Map<string, number>();
    // Bounded per operation: variables are the client's to vary.
    if (costs.size >= MAX_COSTS_PER_OPERATION) costs.clear();
    costs.set(key, cost);
    if (!known) bySchema.set(operation, costs);
  }
  return cost;
}

const COSTS = new WeakMap<CostDirectives, WeakMap<OperationDefinitionNode, Map<string, number>>>();
const MAX_COSTS_PER_OPERATION = 64;

class CostWalk {
  private readonly schema: GraphQLSchema | undefined;
  private readonly directives: CostDirectives;
  private readonly args: ArgumentScope;
  private readonly memo = new Map<SelectionSetNode, Map<string, number>>();
  private readonly visiting = new Set<string>();

  constructor(
    private readonly operation: OperationDefinitionNode,
    private readonly fragments: FragmentMap,
    private readonly options: CostOptions,
  ) {
    this.schema = options.schema;
    this.directives = options.schema ? costDirectivesOf(options.schema) : NO_COST_DIRECTIVES;
    this.args = argumentScope(operation, options.variables);
  }

  run(): number {
    // a missing budget (a caller without the config default) means the old rule: guesses always multiply
    const { maxAssumedFanOut } = this.options;
    const scope: Scope = { budget: maxAssumedFanOut >= 1 ? maxAssumedFanOut : Number.POSITIVE_INFINITY };
    const root = this.schema?.getRootType(this.operation.operation) ?? undefined;
    return root ? this.ofType(this.operation.selectionSet, root, scope) : this.ofUnknown(this.operation.selectionSet, scope);
  }

  /** One selection set on an object (or an interface with no known implementation), memoized per type and scope. */
  private ofType(set: SelectionSetNode, type: Fielded, scope: Scope): number {
    return this.memoized(set, type.name, scope, () => {
      let total = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          total += this.field(sel, type, scope);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          const condition = sel.typeCondition?.name.value;
          if (condition === undefined || this.applies(condition, type)) total += this.ofType(sel.selectionSet, type, scope);
        } else {
          total += this.viaFragment(sel.name.value, (f) => (this.applies(f.typeCondition.name.value, type) ? this.ofType(f.selectionSet, type, scope) : 0));
        }
      }
      return total;
    });
  }

  /** Without a type to go by: every branch counts (an upper bound). */
  private ofUnknown(set: SelectionSetNode, scope: Scope): number {
    return this.memoized(set, '', scope, () => {
      let total = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          total += this.field(sel, undefined, scope);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          const condition = sel.typeCondition ? this.schema?.getType(sel.typeCondition.name.value) : undefined;
          total += this.ofItems(sel.selectionSet, condition, scope);
        } else {
          total += this.viaFragment(sel.name.value, (f) => this.ofItems(f.selectionSet, this.schema?.getType(f.typeCondition.name.value), scope));
        }
      }
      return total;
    });
  }

  /** What one item of a field's type costs: its type's weight and its selections, the costliest possible type for an abstract one. */
  private ofItems(set: SelectionSetNode | undefined, type: GraphQLNamedType | undefined, scope: Scope): number {
    if (type && isLeafType(type)) return this.typeWeight(type.name);
    if (!type || !isCompositeType(type)) return set ? this.ofUnknown(set, scope) : 0;
    if (isObjectType(type)) return this.typeWeight(type.name) + (set ? this.ofType(set, type, scope) : 0);
    const possible = this.schema && isAbstractType(type) ? this.schema.getPossibleTypes(type) : [];
    if (possible.length === 0) return this.typeWeight(type.name) + (set && isInterfaceType(type) ? this.ofType(set, type, scope) : 0);
    let max = 0;
    for (const t of possible) {
      const weight = this.directives.weights.get(t.name) ?? this.typeWeight(type.name);
      max = Math.max(max, weight + (set ? this.ofType(set, t, scope) : 0));
    }
    return max;
  }

  private field(sel: FieldNode, parent: Fielded | undefined, scope: Scope): number {
    const name = sel.name.value;
    if (name === '__typename') return 0;
    if (isIntrospectionField(name) || parent?.name.startsWith('__')) return this.introspection(sel, parent, scope);
    const def = parent?.getFields()[name];
    const { multiplier, below } = this.sizing(sel, parent, def, scope);
    const weight = (parent && this.fieldWeight(parent, name)) ?? 1;
    const argWeights = parent && def && this.directives.weights.size > 0 ? argumentWeight(`${parent.name}.${name}`, sel.arguments, def.args, this.directives.weights, this.args) : 0;
    return weight + argWeights + multiplier * this.ofItems(sel.selectionSet, def ? getNamedType(def.type) : undefined, below);
  }

  /** How many items a field multiplies its selections by, and the scope they are measured in. */
  private sizing(sel: FieldNode, parent: Fielded | undefined, def: GraphQLField<unknown, unknown> | undefined, scope: Scope): { multiplier: number; below: Scope } {
    const name = sel.name.value;
    const listSize = parent ? this.listSizeOf(parent, name) : undefined;
    const sizes = sizesFrom(listSize?.slicingArguments ?? this.options.listSizeArguments, sel.arguments, def?.args, this.args);
    const asked = sizes.length > 0 ? Math.max(...sizes) : undefined;
    // without a schema, only a size argument says a field is a list
    const levels = def ? listLevels(def.type) : asked !== undefined ? 1 : 0;

    // What this field hands to the lists under it: `@listSize(sizedFields:)` takes the size
    // off the field itself; a size on a non-list field (a connection) sizes the lists right
    // below it; `sizedFields: ["page.edges"]` reaches `page`, which passes `edges` on.
    let own = asked;
    let handed: Scope['handed'];
    if (listSize?.sizedFields?.length) {
      const size = asked ?? listSize.assumedSize;
      if (size !== undefined) handed = { size, fields: listSize.sizedFields };
      own = undefined;
    } else if (levels === 0 && asked !== undefined) {
      handed = { size: asked, fields: 'any' };
    } else if (scope.handed && scope.handed.fields !== 'any') {
      const prefix = `${name}.`;
      const rest = scope.handed.fields.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
      if (rest.length > 0) handed = { size: scope.handed.size, fields: rest };
    }
    const fromParent = scope.handed && (scope.handed.fields === 'any' ? levels > 0 : scope.handed.fields.includes(name)) ? scope.handed.size : undefined;
    const demanded = Boolean(listSize?.slicingArguments?.length && listSize.requireOneSlicingArgument && sizes.length === 0);

    let multiplier = 1;
    let budget = scope.budget;
    for (let level = 0; level < levels; level++) {
      const known = level === 0 ? (own ?? fromParent ?? listSize?.assumedSize) : undefined;
      const size = known ?? (level === 0 && demanded ? this.options.defaultListSize : this.guess(budget));
      multiplier *= size;
      if (size > 0) budget = Math.floor(budget / size);
    }
    return { multiplier, below: { budget, handed } };
  }

  /** `__schema`, `__type` and fields of the introspection types: 1 each, lists not multiplied. */
  private introspection(sel: FieldNode, parent: Fielded | undefined, scope: Scope): number {
    if (!sel.selectionSet) return 1;
    const name = sel.name.value;
    const def: GraphQLField<unknown, unknown> | undefined =
      name === '__schema' ? SchemaMetaFieldDef : name === '__type' ? TypeMetaFieldDef : parent?.getFields()[name];
    const type = def ? getNamedType(def.type) : undefined;
    const below: Scope = { budget: scope.budget };
    return 1 + (type && isObjectType(type) ? this.ofType(sel.selectionSet, type, below) : this.ofUnknown(sel.selectionSet, below));
  }

  /** A guessed size: `defaultListSize`, but never past the fan-out budget left (and at least 1 item). */
  private guess(budget: number): number {
    return Math.min(this.options.defaultListSize, Math.max(1, budget));
  }

  private listSizeOf(parent: Fielded, field: string): ListSizeDirective | undefined {
    const { listSizes } = this.directives;
    if (listSizes.size === 0) return undefined;
    return listSizes.get(`${parent.name}.${field}`) ?? parent.getInterfaces().map((i) => listSizes.get(`${i.name}.${field}`)).find((l) => l !== undefined);
  }

  private fieldWeight(parent: Fielded | undefined, field: string): number | undefined {
    const { weights } = this.directives;
    if (!parent || weights.size === 0) return undefined;
    return weights.get(`${parent.name}.${field}`) ?? parent.getInterfaces().map((i) => weights.get(`${i.name}.${field}`)).find((w) => w !== undefined);
  }

  private typeWeight(type: string): number {
    return this.directives.weights.get(type) ?? 0;
  }

  /** Whether a fragment on `condition` applies to an object of `type`. Unknown conditions apply (validation rejects them later). */
  private applies(condition: string, type: Fielded): boolean {
    if (condition === type.name || !this.schema) return true;
    const target = this.schema.getType(condition);
    if (!target) return true;
    if (isAbstractType(target) && isObjectType(type)) return this.schema.isSubType(target, type);
    // an interface without implementations stands for whatever implements it later
    return isInterfaceType(type);
  }

  private viaFragment(name: string, measure: (fragment: NonNullable<ReturnType<FragmentMap['get']>>) => number): number {
    const fragment = this.fragments.get(name);
    if (!fragment || this.visiting.has(name)) return 0; // unknown or cyclic: invalid, refused by validation later
    this.visiting.add(name);
    try {
      return measure(fragment);
    } finally {
      this.visiting.delete(name);
    }
  }

  /** Each selection set is measured once per type and scope, so fragments spread many times, or abstract types nested in each other, stay linear. */
  private memoized(set: SelectionSetNode, type: string, scope: Scope, measure: () => number): number {
    const key = `${type}|${scope.budget}|${scope.handed ? `${scope.handed.size}:${scope.handed.fields === 'any' ? '*' : scope.handed.fields.join(',')}` : ''}`;
    let bySet = this.memo.get(set);
    const known = bySet?.get(key);
    if (known !== undefined) return known;
    const value = measure();
    if (!bySet) this.memo.set(set, (bySet = new Map()));
    bySet.set(key, value);
    return value;
  }
}

/** How many list wrappers a field type has (`[[T!]]!` → 2). */
function listLevels(type: GraphQLOutputType): number {
  let levels = 0;
  let current: GraphQLOutputType = getNullableType(type);
  while (isListType(current)) {
    levels++;
    current = getNullableType(current.ofType);
  }
  return levels;
}
