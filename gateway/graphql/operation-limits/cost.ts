import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type ArgumentNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { fragmentMemo, isIntrospectionField, type FragmentMap } from './walk.ts';

export interface CostOptions {
  /** Types tell which fields are lists; without a schema only size arguments do. */
  schema?: GraphQLSchema | undefined;
  /** Request variables, for `first: $n`. */
  variables?: Readonly<Record<string, unknown>> | null | undefined;
  defaultListSize: number;
  listSizeArguments: readonly string[];
}

/**
 * An upper-bound estimate of the work an operation asks for, in resolved fields:
 * every field costs 1, and a list field multiplies everything under it by its size:
 *
 *   cost(field) = 1 + size(field) × Σ cost(children)      (size 1 for a non-list)
 *
 * A list's size is its `first`/`last`/`limit` argument (literal, variable, or the
 * variable's default), else `defaultListSize`. Relay connections: a size argument on a
 * non-list field (`users(first: 50) { edges { node { … } } }`) sizes the list fields
 * directly below it (`edges`, `nodes`). Nested list types (`[[T]]`) multiply once per
 * level. Every branch of an abstract type counts (an upper bound), and `__typename` and
 * introspection cost nothing here.
 */
export function costOf(operation: OperationDefinitionNode, fragments: FragmentMap, options: CostOptions): number {
  const { schema } = options;
  const root = schema?.getRootType(operation.operation) ?? undefined;
  const viaFragment = fragmentMemo<number>(fragments, 0);
  const sizeArgs = new Set(options.listSizeArguments);
  const defaults = variableDefaults(operation);

  const sizeFrom = (args: readonly ArgumentNode[] | undefined): number | undefined => {
    let size: number | undefined;
    for (const arg of args ?? []) {
      if (!sizeArgs.has(arg.name.value)) continue;
      const n = numberFrom(arg.value, options.variables, defaults);
      if (n !== undefined) size = Math.max(size ?? 0, n);
    }
    return size;
  };

  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType | undefined, inheritedSize: number | undefined): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema?.getType(sel.typeCondition.name.value) : parent;
        total += walk(sel.selectionSet, type && isCompositeType(type) ? type : undefined, inheritedSize);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const name = sel.name.value;
        total += viaFragment(`${name}|${inheritedSize ?? ''}`, name, (f) => {
          const type = schema?.getType(f.typeCondition.name.value);
          return walk(f.selectionSet, type && isCompositeType(type) ? type : undefined, inheritedSize);
        });
        continue;
      }
      const name = sel.name.value;
      if (name === '__typename' || isIntrospectionField(name)) continue;
      const type: GraphQLOutputType | undefined =
        parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name]?.type : undefined;
      const ownSize = sizeFrom(sel.arguments);
      const levels = type ? listLevels(type) : ownSize !== undefined ? 1 : 0;
      let multiplier = 1;
      for (let level = 0; level < levels; level++) {
        multiplier *= level === 0 ? (ownSize ?? inheritedSize ?? options.defaultListSize) : options.defaultListSize;
      }
      let children = 0;
      if (sel.selectionSet) {
        const named = type ? getNamedType(type) : undefined;
        const childParent = named && isCompositeType(named) ? named : undefined;
        // a size on a non-list field (a connection) sizes the lists just below it
        children = walk(sel.selectionSet, childParent, levels === 0 ? ownSize : undefined);
      }
      total += 1 + multiplier * children;
    }
    return total;
  };

  return walk(operation.selectionSet, root, undefined);
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

function variableDefaults(operation: OperationDefinitionNode): Map<string, ValueNode> {
  const defaults = new Map<string, ValueNode>();
  for (const def of operation.variableDefinitions ?? []) {
    if (def.defaultValue) defaults.set(def.variable.name.value, def.defaultValue);
  }
  return defaults;
}

/** A non-negative whole size from a literal, a variable, or the variable's default; else undefined. */
function numberFrom(
  value: ValueNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  defaults: ReadonlyMap<string, ValueNode>,
): number | undefined {
  if (value.kind === Kind.INT) return clampSize(Number(value.value));
  if (value.kind !== Kind.VARIABLE) return undefined;
  const name = value.name.value;
  const given = variables?.[name];
  if (typeof given === 'number') return clampSize(given);
  const fallback = defaults.get(name);
  return fallback?.kind === Kind.INT ? clampSize(Number(fallback.value)) : undefined;
}

function clampSize(n: number): number | undefined {
  return Number.isFinite(n) ? Math.max(0, Math.floor(n)) : undefined;
}
