import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLSchema,
  type InputValueDefinitionNode,
} from 'graphql';

/** `@listSize` on a field definition (IBM's cost spec, Apollo's `cost/v0.1`). */
export interface ListSizeDirective {
  /** The size the server caps the list at when no slicing argument is given. */
  readonly assumedSize?: number | undefined;
  /** Arguments whose value is the list's size (dotted for input object fields: `page.first`). */
  readonly slicingArguments?: readonly string[] | undefined;
  /** The list fields below this one (a connection's `edges`, `nodes`) that the slicing argument sizes. */
  readonly sizedFields?: readonly string[] | undefined;
  /** Exactly one slicing argument must be given (the spec's default: true). */
  readonly requireOneSlicingArgument: boolean;
}

/**
 * The demand-control directives of a schema, by schema coordinate: `@cost(weight:)` on a
 * type (`User`), a field (`User.friends`), an argument (`Query.search(filter:)`) or an input
 * field (`Filter.text`); `@listSize` on a field (`Query.users`).
 */
export interface CostDirectives {
  readonly weights: ReadonlyMap<string, number>;
  readonly listSizes: ReadonlyMap<string, ListSizeDirective>;
}

export const NO_COST_DIRECTIVES: CostDirectives = Object.freeze({ weights: new Map(), listSizes: new Map() });

// Keyed by the schema object: an API schema lives as long as its supergraph is loaded.
const bySchema = new WeakMap<GraphQLSchema, CostDirectives>();

/**
 * The directives the cost estimate honours for `schema`: those registered for it (a
 * gateway's API schema has lost them; its supergraph has them), else those in its own
 * SDL (a schema built from type definitions, like a BFF's). Read once per schema.
 */
export function costDirectivesOf(schema: GraphQLSchema): CostDirectives {
  let found = bySchema.get(schema);
  if (!found) {
    found = costDirectivesIn(schemaDefinitions(schema));
    bySchema.set(schema, found);
  }
  return found;
}

/**
 * Registers the directives of the supergraph `apiSchema` was derived from. Apollo's API
 * schema drops every directive of a linked spec, `@cost` and `@listSize` included, so
 * without this the estimate would never see them.
 */
export function useSupergraphCostDirectives(apiSchema: GraphQLSchema, supergraphSdl: string | DocumentNode): CostDirectives {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl, { noLocation: true }) : supergraphSdl;
  const directives = costDirectivesIn(document.definitions);
  bySchema.set(apiSchema, directives);
  return directives;
}

/** `@cost` and `@listSize` in SDL definitions, under whatever names the schema's `@link`s give them. */
export function costDirectivesIn(definitions: readonly DefinitionNode[]): CostDirectives {
  const names = directiveNames(definitions);
  const weights = new Map<string, number>();
  const listSizes = new Map<string, ListSizeDirective>();
  const weightOf = (directives: readonly ConstDirectiveNode[] | undefined, coordinate: string): void => {
    for (const d of directives ?? []) {
      if (!names.cost.has(d.name.value)) continue;
      const weight = numberOf(argument(d, 'weight'));
      if (weight !== undefined) weights.set(coordinate, Math.max(0, weight));
    }
  };
  const onField = (type: string, field: FieldDefinitionNode | InputValueDefinitionNode): void => {
    const coordinate = `${type}.${field.name.value}`;
    weightOf(field.directives, coordinate);
    if (field.kind !== Kind.FIELD_DEFINITION) return;
    for (const arg of field.arguments ?? []) weightOf(arg.directives, `${coordinate}(${arg.name.value}:)`);
    for (const d of field.directives ?? []) if (names.listSize.has(d.name.value)) listSizes.set(coordinate, listSizeFrom(d));
  };
  for (const def of definitions) {
    switch (def.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        weightOf(def.directives, def.name.value);
        for (const field of def.fields ?? []) onField(def.name.value, field);
        break;
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
        for (const field of def.fields ?? []) onField(def.name.value, field);
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
        weightOf(def.directives, def.name.value);
        break;
      default:
        break;
    }
  }
  return { weights, listSizes };
}

const SPEC_URL = /\/(cost|federation)\/v\d+(\.\d+)*\/?$/;

/**
 * The names `@cost` and `@listSize` go by. Plain `@cost`/`@listSize` (IBM's spec, or
 * imported as is) always count; a `@link` to Apollo's `cost` or `federation` spec adds its
 * imports (`{ name: "@listSize", as: "@size" }`) and its namespaced forms
 * (`@federation__listSize`, `@cost__listSize`; `cost`'s namesake `@cost` takes the prefix).
 */
function directiveNames(definitions: readonly DefinitionNode[]): { cost: Set<string>; listSize: Set<string> } {
  const cost = new Set(['cost', 'federation__cost']);
  const listSize = new Set(['listSize', 'federation__listSize', 'cost__listSize']);
  for (const def of definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of def.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = stringOf(argument(link, 'url'));
      const spec = url ? SPEC_URL.exec(url)?.[1] : undefined;
      if (!spec) continue;
      const prefix = stringOf(argument(link, 'as')) ?? spec;
      cost.add(spec === 'cost' ? prefix : `${prefix}__cost`);
      listSize.add(`${prefix}__listSize`);
      const imports = argument(link, 'import');
      for (const entry of imports?.kind === Kind.LIST ? imports.values : []) {
        const [name, alias] =
          entry.kind === Kind.STRING
            ? [entry.value, entry.value]
            : entry.kind === Kind.OBJECT
              ? [stringOf(objectField(entry, 'name')), stringOf(objectField(entry, 'as')) ?? stringOf(objectField(entry, 'name'))]
              : [undefined, undefined];
        if (name === '@cost' && alias) cost.add(alias.replace(/^@/, ''));
        if (name === '@listSize' && alias) listSize.add(alias.replace(/^@/, ''));
      }
    }
  }
  return { cost, listSize };
}

function listSizeFrom(d: ConstDirectiveNode): ListSizeDirective {
  const assumedSize = numberOf(argument(d, 'assumedSize'));
  const require = argument(d, 'requireOneSlicingArgument');
  return {
    assumedSize: assumedSize === undefined ? undefined : Math.max(0, Math.floor(assumedSize)),
    slicingArguments: stringsOf(argument(d, 'slicingArguments')),
    sizedFields: stringsOf(argument(d, 'sizedFields')),
    requireOneSlicingArgument: require?.kind === Kind.BOOLEAN ? require.value : true,
  };
}

/** The SDL a schema was built from (its types' AST nodes and extensions). */
function schemaDefinitions(schema: GraphQLSchema): DefinitionNode[] {
  const defs: DefinitionNode[] = [];
  if (schema.astNode) defs.push(schema.astNode);
  defs.push(...schema.extensionASTNodes);
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.astNode) defs.push(type.astNode);
    defs.push(...type.extensionASTNodes);
  }
  return defs;
}

function argument(d: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return d.arguments?.find((a) => a.name.value === name)?.value;
}

function objectField(value: ConstValueNode, name: string): ConstValueNode | undefined {
  return value.kind === Kind.OBJECT ? value.fields.find((f) => f.name.value === name)?.value : undefined;
}

function stringOf(value: ConstValueNode | undefined): string | undefined {
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function stringsOf(value: ConstValueNode | undefined): string[] | undefined {
  if (value?.kind === Kind.STRING) return [value.value];
  if (value?.kind !== Kind.LIST) return undefined;
  return value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []));
}

/** Apollo's weights are Int, IBM's a numeric String; either is fine. */
function numberOf(value: ConstValueNode | undefined): number | undefined {
  if (!value) return undefined;
  const n = value.kind === Kind.INT || value.kind === Kind.FLOAT || value.kind === Kind.STRING ? Number(value.value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}
