import { getNamedType, isInterfaceType, type GraphQLCompositeType, type GraphQLField, type GraphQLSchema } from 'graphql';
import type { Requirement, Requirements } from './requirements.ts';

/**
 * What selecting `parent.field` requires, as Apollo Router reads the directives: the
 * field's own, those of the type it returns (a guarded type guards every field returning
 * it), and those of the type it is selected on (and so every field of a guarded type).
 * Selected on an interface, the field also takes what each implementation asks of it:
 * which object will come back is not known before execution, so the strictest applies.
 *
 * One per schema; answers are memoised (bounded by the schema's size).
 */
export class FieldGuards {
  readonly #memo = new Map<string, readonly Requirement[]>();

  constructor(
    private readonly schema: GraphQLSchema,
    readonly requirements: Requirements,
  ) {}

  of(parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>): readonly Requirement[] {
    const key = `${parent.name}.${field.name}`;
    let found = this.#memo.get(key);
    if (found) return found;
    const { onType, onField } = this.requirements;
    const all: Array<readonly Requirement[] | undefined> = [onType.get(parent.name), onField.get(key), onType.get(getNamedType(field.type).name)];
    if (isInterfaceType(parent)) {
      for (const impl of this.schema.getPossibleTypes(parent)) all.push(onType.get(impl.name), onField.get(`${impl.name}.${field.name}`));
    }
    found = [...new Set(all.flatMap((list) => list ?? []))];
    this.#memo.set(key, found);
    return found;
  }
}
