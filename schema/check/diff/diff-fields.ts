import { doTypesOverlap, getNamedType, isCompositeType, isIntrospectionType, type GraphQLField, type GraphQLSchema } from 'graphql';
import { fieldSpreadKey } from '../usage-keys.ts';
import { change, type SchemaChange } from './change-kinds.ts';
import { diffDeprecation, diffDescription } from './diff-docs.ts';
import { diffInputValues, fieldArgKinds } from './diff-input-values.ts';
import { compareTypes } from './type-compat.ts';

type Field = GraphQLField<unknown, unknown>;

/** Diffs the fields (and their arguments) of an object or interface present on both sides. */
export function diffFields(
  typeName: string,
  oldFields: Readonly<Record<string, Field>>,
  newFields: Readonly<Record<string, Field>>,
  schemas: { readonly old: GraphQLSchema; readonly new: GraphQLSchema },
): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const [name, oldField] of Object.entries(oldFields)) {
    const coordinate = `${typeName}.${name}`;
    const newField = newFields[name];
    if (!newField) {
      const note = oldField.deprecationReason !== undefined && oldField.deprecationReason !== null ? ' (it was deprecated)' : '';
      changes.push(change('FIELD_REMOVED', coordinate, `field ${coordinate} was removed${note}`, [coordinate]));
      continue;
    }
    changes.push(...diffFieldType(oldField, newField, coordinate, schemas));
    changes.push(
      ...diffInputValues(
        oldField.args,
        newField.args,
        { coordinateOf: (arg) => `${coordinate}(${arg}:)`, ownerKey: coordinate, label: 'argument' },
        fieldArgKinds,
        schemas.new,
      ),
    );
    changes.push(...diffDescription(oldField.description, newField.description, coordinate));
    changes.push(...diffDeprecation(oldField.deprecationReason, newField.deprecationReason, coordinate, [coordinate]));
  }
  for (const name of Object.keys(newFields)) {
    if (oldFields[name]) continue;
    const coordinate = `${typeName}.${name}`;
    changes.push(change('FIELD_ADDED', coordinate, `field ${coordinate} was added`, []));
  }
  return changes;
}

function diffFieldType(
  oldField: Field,
  newField: Field,
  coordinate: string,
  schemas: { readonly old: GraphQLSchema; readonly new: GraphQLSchema },
): SchemaChange[] {
  const from = String(oldField.type);
  const to = String(newField.type);
  if (from === to) return [];
  const delta = compareTypes(oldField.type, newField.type, schemas.new);
  const what = `field ${coordinate} changed type from ${from} to ${to}`;
  const used = [coordinate];
  // Outputs: a stricter type keeps every promise of the old one; a looser one breaks the
  // non-null promise clients rely on; anything else changes the shape.
  if (delta.incompatible) return [change('FIELD_TYPE_CHANGED', coordinate, what, used)];
  if (delta.looser) return [change('FIELD_MADE_NULLABLE', coordinate, `${what}: it may now be null`, used)];
  if (delta.narrowed) {
    const lost = conditionsLost(oldField, newField, schemas);
    const note = lost.length > 0 ? `: fragments on ${lost.join(', ')} no longer apply` : '';
    return [change('FIELD_TYPE_NARROWED', coordinate, `${what}${note}`, lost.map((c) => fieldSpreadKey(coordinate, c)))];
  }
  return [change('FIELD_MADE_NON_NULL', coordinate, what, [])];
}

/**
 * The fragment type conditions valid in the old field's selection that are not valid in
 * the new one: every composite type overlapping the old abstract type (its possible types,
 * itself, other interfaces and unions sharing a member) that no longer overlaps the type
 * it was narrowed to. Operations spreading those directly in the field fail validation;
 * those selecting only fields of the new type keep working.
 */
function conditionsLost(oldField: Field, newField: Field, schemas: { readonly old: GraphQLSchema; readonly new: GraphQLSchema }): string[] {
  const oldType = getNamedType(oldField.type);
  const newType = getNamedType(newField.type);
  if (!isCompositeType(oldType) || !isCompositeType(newType)) return [];
  const lost: string[] = [];
  for (const candidate of Object.values(schemas.old.getTypeMap())) {
    if (!isCompositeType(candidate) || isIntrospectionType(candidate) || !doTypesOverlap(schemas.old, candidate, oldType)) continue;
    const now = schemas.new.getType(candidate.name);
    if (now && isCompositeType(now) && doTypesOverlap(schemas.new, now, newType)) continue;
    lost.push(candidate.name);
  }
  return lost.sort();
}
