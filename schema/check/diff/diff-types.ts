import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLEnumType,
  type GraphQLInputObjectType,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLUnionType,
} from 'graphql';
import { spreadKey } from '../usage-keys.ts';
import { change, type SchemaChange } from './change-kinds.ts';
import { diffDeprecation, diffDescription } from './diff-docs.ts';
import { diffFields } from './diff-fields.ts';
import { diffInputValues, inputFieldKinds } from './diff-input-values.ts';

export function typeKindOf(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'object';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input object';
  if (isScalarType(type)) return 'scalar';
  return 'unknown';
}

/** Diffs one named type present (by name) on both sides. */
export function diffType(
  oldType: GraphQLNamedType,
  newType: GraphQLNamedType,
  schemas: { readonly old: GraphQLSchema; readonly new: GraphQLSchema },
): SchemaChange[] {
  const newSchema = schemas.new;
  const name = oldType.name;
  const oldKind = typeKindOf(oldType);
  const newKind = typeKindOf(newType);
  if (oldKind !== newKind) {
    // Nothing inside is comparable any more; the kind change says it all.
    return [change('TYPE_KIND_CHANGED', name, `${name} changed from ${oldKind} to ${newKind}`, [name])];
  }
  const changes = diffDescription(oldType.description, newType.description, name);
  if ((isObjectType(oldType) && isObjectType(newType)) || (isInterfaceType(oldType) && isInterfaceType(newType))) {
    changes.push(...diffInterfaces(oldType, newType));
    changes.push(...diffFields(name, oldType.getFields(), newType.getFields(), schemas));
  } else if (isUnionType(oldType) && isUnionType(newType)) {
    changes.push(...diffUnion(oldType, newType));
  } else if (isEnumType(oldType) && isEnumType(newType)) {
    changes.push(...diffEnum(oldType, newType));
  } else if (isInputObjectType(oldType) && isInputObjectType(newType)) {
    changes.push(...diffInputObject(oldType, newType, newSchema));
  }
  return changes;
}

function diffInterfaces(
  oldType: GraphQLObjectType | GraphQLInterfaceType,
  newType: GraphQLObjectType | GraphQLInterfaceType,
): SchemaChange[] {
  const name = oldType.name;
  const before = new Set(oldType.getInterfaces().map((i) => i.name));
  const after = new Set(newType.getInterfaces().map((i) => i.name));
  const changes: SchemaChange[] = [];
  for (const iface of before) {
    if (after.has(iface)) continue;
    changes.push(
      change('INTERFACE_REMOVED', name, `${name} no longer implements ${iface}`, [spreadKey(iface, name), spreadKey(name, iface)], spreadKey(iface, name)),
    );
  }
  for (const iface of after) {
    if (before.has(iface)) continue;
    changes.push(change('INTERFACE_ADDED', name, `${name} now implements ${iface}`, [iface], spreadKey(iface, name)));
  }
  return changes;
}

function diffUnion(oldType: GraphQLUnionType, newType: GraphQLUnionType): SchemaChange[] {
  const name = oldType.name;
  const before = new Set(oldType.getTypes().map((t) => t.name));
  const after = new Set(newType.getTypes().map((t) => t.name));
  const changes: SchemaChange[] = [];
  for (const member of before) {
    if (after.has(member)) continue;
    changes.push(
      change('UNION_MEMBER_REMOVED', name, `${member} was removed from union ${name}`, [spreadKey(name, member), spreadKey(member, name)], spreadKey(name, member)),
    );
  }
  for (const member of after) {
    if (before.has(member)) continue;
    changes.push(change('UNION_MEMBER_ADDED', name, `${member} was added to union ${name}`, [name], spreadKey(name, member)));
  }
  return changes;
}

function diffEnum(oldType: GraphQLEnumType, newType: GraphQLEnumType): SchemaChange[] {
  const name = oldType.name;
  const newValues = new Map(newType.getValues().map((v) => [v.name, v]));
  const oldNames = new Set(oldType.getValues().map((v) => v.name));
  const changes: SchemaChange[] = [];
  for (const oldValue of oldType.getValues()) {
    const coordinate = `${name}.${oldValue.name}`;
    const newValue = newValues.get(oldValue.name);
    if (!newValue) {
      // Only operations that can send the value break: reading clients just never see it.
      changes.push(change('ENUM_VALUE_REMOVED', coordinate, `enum value ${coordinate} was removed`, [coordinate]));
      continue;
    }
    changes.push(...diffDescription(oldValue.description, newValue.description, coordinate));
    changes.push(...diffDeprecation(oldValue.deprecationReason, newValue.deprecationReason, coordinate, [coordinate]));
  }
  for (const value of newType.getValues()) {
    if (oldNames.has(value.name)) continue;
    changes.push(change('ENUM_VALUE_ADDED', `${name}.${value.name}`, `enum value ${name}.${value.name} was added`, [name]));
  }
  return changes;
}

function diffInputObject(oldType: GraphQLInputObjectType, newType: GraphQLInputObjectType, newSchema: GraphQLSchema): SchemaChange[] {
  const name = oldType.name;
  return diffInputValues(
    Object.values(oldType.getFields()),
    Object.values(newType.getFields()),
    { coordinateOf: (field) => `${name}.${field}`, ownerKey: name, label: 'input field' },
    inputFieldKinds,
    newSchema,
  );
}
