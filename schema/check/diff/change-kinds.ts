/**
 * Every kind of schema change the differ reports, with its criticality and the reason.
 * The reasons are written from the point of view of a client operation that was valid
 * against the base schema:
 *
 * - `breaking`: the operation may stop validating, or the data it gets may break the
 *   client's assumptions (a field it reads becomes nullable, a value it sends is refused).
 * - `dangerous`: the operation stays valid but may observe different results (a new enum
 *   value or union member it has never seen, a different default).
 * - `safe`: nothing an existing operation can observe changes.
 *
 * Optional arguments and input fields are `safe`, not `dangerous` as in graphql-js:
 * operations that do not send them get exactly the old behaviour, by definition of
 * "optional". Deprecations are `safe`: they change no behaviour; the report still lists
 * which operations use a newly deprecated element.
 *
 * Arguments of fields, fields of input objects and arguments of directives are all
 * "input values" and have the same seven kinds each, so the families line up.
 */
export type Criticality = 'breaking' | 'dangerous' | 'safe';

interface KindSpec {
  readonly criticality: Criticality;
  readonly reason: string;
}

export const changeKinds = {
  // Types
  TYPE_REMOVED: { criticality: 'breaking', reason: 'operations that name the type or select fields returning it fail validation' },
  TYPE_KIND_CHANGED: { criticality: 'breaking', reason: 'selections and values written for the old kind no longer apply' },
  TYPE_ADDED: { criticality: 'safe', reason: 'no existing operation can refer to it' },
  ROOT_TYPE_CHANGED: { criticality: 'breaking', reason: 'operations of that type (query, mutation, subscription) resolve against another type or none' },
  ROOT_TYPE_ADDED: { criticality: 'safe', reason: 'a new operation type; existing operations are unaffected' },

  // Fields of objects and interfaces
  FIELD_REMOVED: { criticality: 'breaking', reason: 'operations selecting the field fail validation' },
  FIELD_TYPE_CHANGED: { criticality: 'breaking', reason: 'the field returns a different shape than the client expects' },
  FIELD_MADE_NULLABLE: { criticality: 'breaking', reason: 'clients that rely on the non-null guarantee receive null' },
  FIELD_MADE_NON_NULL: { criticality: 'safe', reason: 'a stronger guarantee; every old value is still possible' },
  FIELD_TYPE_NARROWED: { criticality: 'breaking', reason: 'the field now returns one possible type of the old abstract type; fragments spread in it on the other possible types become invalid' },
  FIELD_ADDED: { criticality: 'safe', reason: 'no existing operation selects it' },

  // Field arguments
  ARG_REMOVED: { criticality: 'breaking', reason: 'operations passing the argument fail validation' },
  ARG_TYPE_CHANGED: { criticality: 'breaking', reason: 'values or variables sent for the old type may be refused' },
  ARG_MADE_REQUIRED: { criticality: 'breaking', reason: 'operations that omit the argument or pass null fail' },
  ARG_MADE_OPTIONAL: { criticality: 'safe', reason: 'every value accepted before is still accepted' },
  REQUIRED_ARG_ADDED: { criticality: 'breaking', reason: 'operations selecting the field do not pass it and fail validation' },
  OPTIONAL_ARG_ADDED: { criticality: 'safe', reason: 'operations that do not pass it get the old behaviour' },
  ARG_DEFAULT_CHANGED: { criticality: 'dangerous', reason: 'operations that omit the argument get a different result' },

  // Input object fields
  INPUT_FIELD_REMOVED: { criticality: 'breaking', reason: 'operations sending the field fail' },
  INPUT_FIELD_TYPE_CHANGED: { criticality: 'breaking', reason: 'values sent for the old type may be refused' },
  INPUT_FIELD_MADE_REQUIRED: { criticality: 'breaking', reason: 'operations that omit the field or send null fail' },
  INPUT_FIELD_MADE_OPTIONAL: { criticality: 'safe', reason: 'every value accepted before is still accepted' },
  REQUIRED_INPUT_FIELD_ADDED: { criticality: 'breaking', reason: 'operations building the input object do not send it and fail' },
  OPTIONAL_INPUT_FIELD_ADDED: { criticality: 'safe', reason: 'operations that do not send it get the old behaviour' },
  INPUT_FIELD_DEFAULT_CHANGED: { criticality: 'dangerous', reason: 'operations that omit the field get a different result' },

  // Enums, unions, interfaces
  ENUM_VALUE_REMOVED: { criticality: 'breaking', reason: 'operations sending the value fail' },
  ENUM_VALUE_ADDED: { criticality: 'dangerous', reason: 'clients reading the enum may receive a value they do not handle' },
  UNION_MEMBER_REMOVED: { criticality: 'breaking', reason: 'fragments on the member inside the union become invalid' },
  UNION_MEMBER_ADDED: { criticality: 'dangerous', reason: 'clients reading the union may receive a type they do not handle' },
  INTERFACE_REMOVED: { criticality: 'breaking', reason: 'fragments spreading the interface into the type (or back) become invalid' },
  INTERFACE_ADDED: { criticality: 'dangerous', reason: 'fragments on the interface now also match this type, changing results' },

  // Directive definitions
  DIRECTIVE_REMOVED: { criticality: 'breaking', reason: 'operations using the directive fail validation' },
  DIRECTIVE_ADDED: { criticality: 'safe', reason: 'no existing operation uses it' },
  DIRECTIVE_LOCATION_REMOVED: { criticality: 'breaking', reason: 'operations using the directive at that location fail validation' },
  DIRECTIVE_LOCATION_ADDED: { criticality: 'safe', reason: 'existing uses stay valid' },
  DIRECTIVE_REPEATABLE_REMOVED: { criticality: 'breaking', reason: 'operations repeating the directive fail validation' },
  DIRECTIVE_REPEATABLE_ADDED: { criticality: 'safe', reason: 'existing uses stay valid' },
  DIRECTIVE_ARG_REMOVED: { criticality: 'breaking', reason: 'operations passing the argument fail validation' },
  DIRECTIVE_ARG_TYPE_CHANGED: { criticality: 'breaking', reason: 'values sent for the old type may be refused' },
  DIRECTIVE_ARG_MADE_REQUIRED: { criticality: 'breaking', reason: 'operations that omit the argument fail validation' },
  DIRECTIVE_ARG_MADE_OPTIONAL: { criticality: 'safe', reason: 'every value accepted before is still accepted' },
  REQUIRED_DIRECTIVE_ARG_ADDED: { criticality: 'breaking', reason: 'operations using the directive do not pass it and fail validation' },
  OPTIONAL_DIRECTIVE_ARG_ADDED: { criticality: 'safe', reason: 'operations that do not pass it get the old behaviour' },
  DIRECTIVE_ARG_DEFAULT_CHANGED: { criticality: 'dangerous', reason: 'operations that omit the argument get a different behaviour' },

  // Documentation
  DESCRIPTION_CHANGED: { criticality: 'safe', reason: 'documentation only' },
  DEPRECATION_ADDED: { criticality: 'safe', reason: 'behaviour is unchanged; operations still using it should migrate' },
  DEPRECATION_REMOVED: { criticality: 'safe', reason: 'behaviour is unchanged' },
  DEPRECATION_REASON_CHANGED: { criticality: 'safe', reason: 'documentation only' },
} as const satisfies Record<string, KindSpec>;

export type ChangeKind = keyof typeof changeKinds;

export function criticalityOf(kind: ChangeKind): Criticality {
  return changeKinds[kind].criticality;
}

/** One difference between two API schemas. */
export interface SchemaChange {
  readonly kind: ChangeKind;
  readonly criticality: Criticality;
  /** Schema coordinate of the changed element: `Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `@dir`, `@dir(arg:)`. */
  readonly coordinate: string;
  readonly message: string;
  /**
   * The operation usages that make this change matter: an operation is affected when it
   * uses any of them (see usage.ts for the key forms). Empty when no use is affected.
   */
  readonly usageKeys: readonly string[];
  /**
   * The element whose definition carries the change, to find the subgraph(s) behind it
   * (see subgraph-index.ts). The coordinate, except for union memberships and interface
   * implementations, which are keyed `Union ... on Member` / `Interface ... on Type`.
   */
  readonly sourceKey: string;
}

export function change(
  kind: ChangeKind,
  coordinate: string,
  message: string,
  usageKeys: readonly string[],
  sourceKey: string = coordinate,
): SchemaChange {
  return { kind, criticality: criticalityOf(kind), coordinate, message, usageKeys, sourceKey };
}
