import {
  astFromValue,
  isNonNullType,
  print,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLSchema,
} from 'graphql';
import { mayBeNullKey, mayBeOmittedKey } from '../usage-keys.ts';
import { change, type ChangeKind, type SchemaChange } from './change-kinds.ts';
import { diffDeprecation, diffDescription } from './diff-docs.ts';
import { compareTypes } from './type-compat.ts';

type InputValue = GraphQLArgument | GraphQLInputField;

/** The seven kinds of one input-value family (field arguments, input fields, directive arguments). */
interface FamilyKinds {
  removed: ChangeKind;
  typeChanged: ChangeKind;
  madeRequired: ChangeKind;
  madeOptional: ChangeKind;
  requiredAdded: ChangeKind;
  optionalAdded: ChangeKind;
  defaultChanged: ChangeKind;
}

export const fieldArgKinds: FamilyKinds = {
  removed: 'ARG_REMOVED',
  typeChanged: 'ARG_TYPE_CHANGED',
  madeRequired: 'ARG_MADE_REQUIRED',
  madeOptional: 'ARG_MADE_OPTIONAL',
  requiredAdded: 'REQUIRED_ARG_ADDED',
  optionalAdded: 'OPTIONAL_ARG_ADDED',
  defaultChanged: 'ARG_DEFAULT_CHANGED',
};

export const inputFieldKinds: FamilyKinds = {
  removed: 'INPUT_FIELD_REMOVED',
  typeChanged: 'INPUT_FIELD_TYPE_CHANGED',
  madeRequired: 'INPUT_FIELD_MADE_REQUIRED',
  madeOptional: 'INPUT_FIELD_MADE_OPTIONAL',
  requiredAdded: 'REQUIRED_INPUT_FIELD_ADDED',
  optionalAdded: 'OPTIONAL_INPUT_FIELD_ADDED',
  defaultChanged: 'INPUT_FIELD_DEFAULT_CHANGED',
};

export const directiveArgKinds: FamilyKinds = {
  removed: 'DIRECTIVE_ARG_REMOVED',
  typeChanged: 'DIRECTIVE_ARG_TYPE_CHANGED',
  madeRequired: 'DIRECTIVE_ARG_MADE_REQUIRED',
  madeOptional: 'DIRECTIVE_ARG_MADE_OPTIONAL',
  requiredAdded: 'REQUIRED_DIRECTIVE_ARG_ADDED',
  optionalAdded: 'OPTIONAL_DIRECTIVE_ARG_ADDED',
  defaultChanged: 'DIRECTIVE_ARG_DEFAULT_CHANGED',
};

export interface InputValueOwner {
  /** Coordinate of an input value, e.g. `Query.user(id:)`, `UserInput.name`, `@auth(role:)`. */
  coordinateOf(name: string): string;
  /**
   * What an operation uses when it uses the owner at all: the field (`Query.user`), the
   * directive (`@auth`) or the input type (`UserInput`). Adding a required value breaks
   * every such use, not only those that already send some value.
   */
  ownerKey: string;
  label: string;
}

/** Diffs the arguments of one field or directive, or the fields of one input object. */
export function diffInputValues(
  oldValues: readonly InputValue[],
  newValues: readonly InputValue[],
  owner: InputValueOwner,
  kinds: FamilyKinds,
  newSchema: GraphQLSchema,
): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const newByName = new Map(newValues.map((v) => [v.name, v]));
  const oldNames = new Set(oldValues.map((v) => v.name));

  for (const oldValue of oldValues) {
    const coordinate = owner.coordinateOf(oldValue.name);
    const newValue = newByName.get(oldValue.name);
    if (!newValue) {
      changes.push(change(kinds.removed, coordinate, `${owner.label} ${coordinate} was removed`, [coordinate]));
      continue;
    }
    changes.push(...diffInputValueType(oldValue, newValue, coordinate, owner, kinds, newSchema));
    changes.push(...diffDefault(oldValue, newValue, coordinate, owner, kinds));
    changes.push(...diffDescription(oldValue.description, newValue.description, coordinate));
    changes.push(...diffDeprecation(oldValue.deprecationReason, newValue.deprecationReason, coordinate, [coordinate]));
  }

  for (const newValue of newValues) {
    if (oldNames.has(newValue.name)) continue;
    const coordinate = owner.coordinateOf(newValue.name);
    if (isRequired(newValue)) {
      changes.push(
        change(kinds.requiredAdded, coordinate, `required ${owner.label} ${coordinate} (${String(newValue.type)}) was added`, [owner.ownerKey]),
      );
    } else {
      changes.push(change(kinds.optionalAdded, coordinate, `optional ${owner.label} ${coordinate} was added`, []));
    }
  }
  return changes;
}

function diffInputValueType(
  oldValue: InputValue,
  newValue: InputValue,
  coordinate: string,
  owner: InputValueOwner,
  kinds: FamilyKinds,
  newSchema: GraphQLSchema,
): SchemaChange[] {
  const from = String(oldValue.type);
  const to = String(newValue.type);
  if (from === to) return [];
  const delta = compareTypes(oldValue.type, newValue.type, newSchema);
  const what = `${owner.label} ${coordinate} changed type from ${from} to ${to}`;
  // For inputs the rules are the reverse of outputs: a looser type accepts everything the
  // old one did; a stricter or different one may refuse what operations send.
  if (delta.incompatible || delta.narrowed || (delta.stricter && delta.looser) || (delta.stricter && !delta.stricterOutermostOnly)) {
    return [change(kinds.typeChanged, coordinate, what, [coordinate])];
  }
  if (delta.stricter) {
    // Operations that send a value that cannot be null keep working. Those that leave it
    // out break (unless the new type has a default), and so do those that may send null.
    const keys = newValue.defaultValue === undefined ? [mayBeOmittedKey(coordinate), mayBeNullKey(coordinate)] : [mayBeNullKey(coordinate)];
    return [change(kinds.madeRequired, coordinate, `${what}: it is now required`, keys)];
  }
  return [change(kinds.madeOptional, coordinate, `${what}: it is now optional`, [])];
}

function diffDefault(
  oldValue: InputValue,
  newValue: InputValue,
  coordinate: string,
  owner: InputValueOwner,
  kinds: FamilyKinds,
): SchemaChange[] {
  const from = printDefault(oldValue);
  const to = printDefault(newValue);
  if (from === to) return [];
  // A new default only matters to operations that leave the value out.
  return [
    change(
      kinds.defaultChanged,
      coordinate,
      `default of ${owner.label} ${coordinate} changed from ${from ?? '(none)'} to ${to ?? '(none)'}`,
      [mayBeOmittedKey(coordinate)],
    ),
  ];
}

function printDefault(value: InputValue): string | undefined {
  if (value.defaultValue === undefined) return undefined;
  const ast = astFromValue(value.defaultValue, value.type);
  return ast ? print(ast) : JSON.stringify(value.defaultValue);
}

/** Arguments and input fields share graphql's rule: non-null and no default. */
function isRequired(value: InputValue): boolean {
  return isNonNullType(value.type) && value.defaultValue === undefined;
}
