import {
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  type ArgumentNode,
  type GraphQLArgument,
  type GraphQLInputType,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';

/** What argument values resolve against: the request's variables and the operation's defaults. */
export interface ArgumentScope {
  readonly variables: Readonly<Record<string, unknown>> | null | undefined;
  readonly defaults: ReadonlyMap<string, ValueNode>;
}

export function argumentScope(operation: OperationDefinitionNode, variables: ArgumentScope['variables']): ArgumentScope {
  const defaults = new Map<string, ValueNode>();
  for (const def of operation.variableDefinitions ?? []) {
    if (def.defaultValue) defaults.set(def.variable.name.value, def.defaultValue);
  }
  return { variables, defaults };
}

/**
 * The sizes the named arguments give (`first`, or `page.first` inside an input object):
 * a literal, a variable, the variable's default, else the argument's default in the
 * schema (`first: Int = 20` sizes a field asked without `first`). Non-numbers are skipped.
 */
export function sizesFrom(
  names: readonly string[],
  args: readonly ArgumentNode[] | undefined,
  definitions: readonly GraphQLArgument[] | undefined,
  scope: ArgumentScope,
): number[] {
  const sizes: number[] = [];
  for (const name of names) {
    const [head = '', ...path] = name.split('.');
    const given = args?.find((a) => a.name.value === head);
    let value: unknown;
    if (given) value = valueOf(given.value, scope);
    if (value === undefined || value === null) value = definitions?.find((d) => d.name === head)?.defaultValue;
    const size = sizeOf(at(value, path));
    if (size !== undefined) sizes.push(size);
  }
  return sizes;
}

/**
 * `@cost` weights of the arguments and input fields a field is called with, looked up by
 * schema coordinate (`Query.search(filter:)`, `Filter.text`); an input in a list counts per element.
 */
export function argumentWeight(
  coordinate: string,
  args: readonly ArgumentNode[] | undefined,
  definitions: readonly GraphQLArgument[],
  weights: ReadonlyMap<string, number>,
  scope: ArgumentScope,
): number {
  let total = 0;
  for (const arg of args ?? []) {
    const def = definitions.find((d) => d.name === arg.name.value);
    if (!def) continue;
    total += weights.get(`${coordinate}(${def.name}:)`) ?? 0;
    total += inputWeight(def.type, valueOf(arg.value, scope), weights, 0);
  }
  return total;
}

const MAX_INPUT_NESTING = 32;

function inputWeight(type: GraphQLInputType, value: unknown, weights: ReadonlyMap<string, number>, nesting: number): number {
  if (value === undefined || value === null || nesting > MAX_INPUT_NESTING) return 0;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items = Array.isArray(value) ? value : [value];
    return items.reduce<number>((sum, item) => sum + inputWeight(nullable.ofType, item, weights, nesting + 1), 0);
  }
  if (!isInputObjectType(nullable) || typeof value !== 'object') return 0;
  let total = 0;
  const fields = nullable.getFields();
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = fields[key];
    if (!field) continue;
    total += weights.get(`${nullable.name}.${key}`) ?? 0;
    total += inputWeight(field.type, fieldValue, weights, nesting + 1);
  }
  return total;
}

/** A value node as plain data (variables resolved); enums and strings stay strings. */
function valueOf(node: ValueNode, scope: ArgumentScope): unknown {
  switch (node.kind) {
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => valueOf(v, scope));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, valueOf(f.value, scope)]));
    case Kind.VARIABLE: {
      const name = node.name.value;
      const given = scope.variables?.[name];
      if (given !== undefined) return given;
      const fallback = scope.defaults.get(name);
      // a default is a constant: it cannot refer to a variable, so this does not recurse further
      return fallback && fallback.kind !== Kind.VARIABLE ? valueOf(fallback, scope) : undefined;
    }
    default:
      return undefined;
  }
}

function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A non-negative whole size, or undefined. */
function sizeOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.floor(value)) : undefined;
}
