import {
  isAbstractType,
  isListType,
  isNamedType,
  isNonNullType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';

/**
 * How a type reference changed, position by position. A change can be several things at
 * once (`[A!]` → `[A]!` is looser inside and stricter outside), so the comparison collects
 * flags and the callers decide what the mix means for outputs and for inputs.
 */
export interface TypeDelta {
  /** Named types or list depth differ in a way no rule below explains. */
  incompatible: boolean;
  /** A non-null wrapper was removed somewhere. */
  looser: boolean;
  /** A non-null wrapper was added somewhere. */
  stricter: boolean;
  /** Only the outermost wrapper became non-null (`A` → `A!`, `[A]` → `[A]!`). */
  stricterOutermostOnly: boolean;
  /** The named type became one of the old abstract type's possible types. */
  narrowed: boolean;
}

export function compareTypes(
  oldType: GraphQLType,
  newType: GraphQLType,
  newSchema: GraphQLSchema,
): TypeDelta {
  const delta: TypeDelta = { incompatible: false, looser: false, stricter: false, stricterOutermostOnly: false, narrowed: false };
  walk(oldType, newType, newSchema, delta, 0);
  return delta;
}

function walk(oldType: GraphQLType, newType: GraphQLType, schema: GraphQLSchema, delta: TypeDelta, depth: number): void {
  if (isNonNullType(oldType) && isNonNullType(newType)) return walk(oldType.ofType, newType.ofType, schema, delta, depth + 1);
  if (isNonNullType(oldType)) {
    delta.looser = true;
    return walk(oldType.ofType, newType, schema, delta, depth + 1);
  }
  if (isNonNullType(newType)) {
    // Only the first stricter position can be the outermost one.
    delta.stricterOutermostOnly = !delta.stricter && depth === 0;
    delta.stricter = true;
    return walk(oldType, newType.ofType, schema, delta, depth + 1);
  }
  if (isListType(oldType) && isListType(newType)) return walk(oldType.ofType, newType.ofType, schema, delta, depth + 1);
  if (isListType(oldType) || isListType(newType)) {
    delta.incompatible = true;
    return;
  }
  if (isNamedType(oldType) && isNamedType(newType)) compareNamed(oldType, newType, schema, delta);
}

function compareNamed(oldType: GraphQLNamedType, newType: GraphQLNamedType, schema: GraphQLSchema, delta: TypeDelta): void {
  if (oldType.name === newType.name) return;
  // The old type is looked up in the new schema: narrowing means the new type is still
  // one of the possible types of an abstract type that exists on both sides.
  const oldInNew = schema.getType(oldType.name);
  if (oldInNew && isAbstractType(oldInNew) && !isAbstractType(newType) && newType.name !== oldInNew.name) {
    const possible = schema.getPossibleTypes(oldInNew);
    if (possible.some((t) => t.name === newType.name)) {
      delta.narrowed = true;
      return;
    }
  }
  delta.incompatible = true;
}
