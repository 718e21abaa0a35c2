import {
  GraphQLError,
  Kind,
  getNamedType,
  isAbstractType,
  isUnionType,
  isCompositeType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionNode,
} from 'graphql';
import { conditionsOf, conditionsHold, type Condition, type VariableValues } from './conditions.ts';
import type { ResponsePath } from './types.ts';

/**
 * Turns the data the plan's fetches merged (more fields than asked: keys, @requires
 * inputs, `__typename`s; in subgraph order) into the response the operation asked for: its
 * fields in its order, null propagation, leaf validation, root `__typename`, introspection.
 *
 * The rules are @apollo/gateway's `computeResponse` (resultShaping.ts) one for one, so both
 * executors answer alike; what differs is when the work is done. The selection walk —
 * which fragments apply to a runtime type, which fields that leaves, their types — is
 * compiled once per (selection, runtime type) and kept with the plan, so a request only
 * copies values.
 */
export interface ShapeOutcome {
  readonly data: Record<string, unknown> | null;
  /** Value-completion errors (a null in a non-null position, a bad leaf, an unknown `__typename`). */
  readonly errors: GraphQLError[];
}

/** Answers a `__schema` / `__type` selection (graphql-js over the API schema). */
export type IntrospectionHandler = (field: FieldNode) => unknown;

type RuntimeType = GraphQLCompositeType | 'unknown' | undefined;

type Entry =
  | { readonly kind: 'typename'; readonly responseName: string; readonly conditions: readonly Condition[]; readonly parentType: GraphQLCompositeType }
  | { readonly kind: 'introspection'; readonly responseName: string; readonly conditions: readonly Condition[]; readonly field: FieldNode }
  | {
      readonly kind: 'field';
      readonly responseName: string;
      readonly conditions: readonly Condition[];
      readonly type: TypeShape;
      readonly parentType: GraphQLCompositeType;
      /** The field's sub-selection, or undefined for a leaf. */
      readonly selection: SelectionGroup | undefined;
    };

/**
 * A selection set of the operation, compiled lazily per runtime type. A runtime type is
 * the object's `__typename` when it has a known one, else the declared type (which
 * may be abstract: then only fragments on that type or its supertypes apply).
 */
export class SelectionGroup {
  readonly #byType = new Map<string, readonly Entry[]>();
  constructor(
    private readonly compiler: ShapeCompiler,
    readonly selections: readonly SelectionNode[],
  ) {}

  get schema(): GraphQLSchema {
    return this.compiler.schema;
  }

  /** `runtimeType`: the object's known `__typename`, `unknown` for one the API schema lacks, undefined without one. */
  entriesFor(runtimeType: RuntimeType, parentType: GraphQLCompositeType): readonly Entry[] {
    const key = runtimeType === undefined ? `?${parentType.name}` : runtimeType === 'unknown' ? '!' : runtimeType.name;
    let entries = this.#byType.get(key);
    if (!entries) {
      entries = this.compiler.compile(this.selections, runtimeType, parentType);
      this.#byType.set(key, entries);
    }
    return entries;
  }
}

export class ShapeCompiler {
  constructor(
    readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  ) {}

  group(selections: readonly SelectionNode[]): SelectionGroup {
    return new SelectionGroup(this, selections);
  }

  /** The walk of `applySelectionSet` with the type tests decided: what remains is per-value work. */
  compile(selections: readonly SelectionNode[], runtimeType: RuntimeType, parentType: GraphQLCompositeType): Entry[] {
    const entries: Entry[] = [];
    const walk = (nodes: readonly SelectionNode[], parent: GraphQLCompositeType, outer: readonly Condition[]): void => {
      for (const node of nodes) {
        const conditions = [...outer, ...conditionsOf(node.directives)];
        if (conditions.some((c) => c.kind === 'literal' && !c.include)) continue;
        if (node.kind === Kind.FIELD) {
          entries.push(this.fieldEntry(node, parent, conditions));
          continue;
        }
        const fragment = node.kind === Kind.INLINE_FRAGMENT ? node : this.fragments.get(node.name.value);
        if (!fragment) continue;
        if (!fragment.typeCondition) {
          walk(fragment.selectionSet.selections, parent, conditions);
          continue;
        }
        const condition = this.schema.getType(fragment.typeCondition.name.value);
        if (!condition || !isCompositeType(condition)) continue;
        // With a __typename the object's type decides; without one, the type we are in.
        if (runtimeType === 'unknown' || !this.applies(condition, runtimeType ?? parent)) continue;
        walk(fragment.selectionSet.selections, condition, conditions);
      }
    };
    walk(selections, parentType, []);
    return entries;
  }

  private fieldEntry(node: FieldNode, parent: GraphQLCompositeType, conditions: readonly Condition[]): Entry {
    const responseName = node.alias?.value ?? node.name.value;
    const name = node.name.value;
    if (name === '__typename') return { kind: 'typename', responseName, conditions, parentType: parent };
    if (name === '__schema' || name === '__type') return { kind: 'introspection', responseName, conditions, field: node };
    const definition = fieldDefinition(parent, name);
    if (!definition) throw new Error(`${parent.name}.${name} is not in the API schema`);
    return {
      kind: 'field',
      responseName,
      conditions,
      type: shapeOf(definition.type),
      parentType: parent,
      selection: node.selectionSet ? this.group(node.selectionSet.selections) : undefined,
    };
  }

  /** `isSubtype(condition, type)` of federation-internals, on graphql-js types. */
  applies(condition: GraphQLCompositeType, type: GraphQLCompositeType): boolean {
    if (condition === type) return true;
    if (!isAbstractType(condition) || isUnionType(type)) return false;
    return this.schema.isSubType(condition, type);
  }
}

function fieldDefinition(parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if ('getFields' in parent) return parent.getFields()[name];
  return undefined;
}

interface Run {
  readonly schema: GraphQLSchema;
  readonly variables: VariableValues;
  readonly errors: GraphQLError[];
  readonly introspection: IntrospectionHandler;
  /** Out-parameters of `update` (see there). */
  invalid: boolean;
  erred: boolean;
}

const OK = 0;
const NULL_BUBBLE_UP = 1;

export function shapeResponse(
  root: SelectionGroup,
  rootType: GraphQLCompositeType,
  input: Record<string, unknown>,
  variables: VariableValues,
  introspection: IntrospectionHandler,
): ShapeOutcome {
  const run: Run = { schema: root.schema, variables, errors: [], introspection, invalid: false, erred: false };
  const data: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const result = applySelection(run, input, root, data, [], rootType);
  return { data: result === NULL_BUBBLE_UP ? null : data, errors: run.errors };
}

function runtimeTypeOf(run: Run, typename: string): GraphQLCompositeType | undefined {
  const type = run.schema.getType(typename);
  return type && isCompositeType(type) ? type : undefined;
}

function applySelection(
  run: Run,
  input: Record<string, unknown>,
  group: SelectionGroup,
  output: Record<string, unknown>,
  path: ResponsePath,
  parentType: GraphQLCompositeType,
): number {
  const typename = input.__typename;
  if (typename !== undefined && typeof typename !== 'string') throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
  // An unknown __typename matches no typed fragment (federation-internals: `!!type && isSubtype`).
  const entries = group.entriesFor(typename ? (runtimeTypeOf(run, typename) ?? 'unknown') : undefined, parentType);
  for (const entry of entries) {
    if (entry.conditions.length > 0 && !conditionsHold(entry.conditions, run.variables)) continue;
    const outputValue = output[entry.responseName];
    if (entry.kind === 'introspection') {
      if (outputValue === undefined) output[entry.responseName] = run.introspection(entry.field);
      continue;
    }
    if (entry.kind === 'typename') {
      if (outputValue !== undefined) continue;
      let value = Object.hasOwn(input, entry.responseName) ? (input[entry.responseName] ?? null) : null;
      if (value === null && entry.responseName !== '__typename') value = input.__typename ?? null;
      const named: GraphQLNamedType | undefined = typeof value === 'string' ? (run.schema.getType(value) ?? entry.parentType) : entry.parentType;
      if (!isObjectType(named)) return NULL_BUBBLE_UP;
      output[entry.responseName] = named.name;
      continue;
    }
    const inputValue = Object.hasOwn(input, entry.responseName) ? (input[entry.responseName] ?? null) : null;
    path.push(entry.responseName);
    output[entry.responseName] = update(run, outputValue, entry.type, inputValue, entry.selection, path, entry.parentType);
    path.pop();
    if (run.invalid) return NULL_BUBBLE_UP;
  }
  return OK;
}

/**
 * `update` returns the value and reports through the run (no object per value: shaping is
 * where a big response's garbage would come from). `invalid`: the value is a null in a
 * non-null position, to bubble up; `erred`: an error was already recorded for it.
 */
function update(
  run: Run,
  outputValue: unknown,
  type: TypeShape,
  inputValue: unknown,
  selection: SelectionGroup | undefined,
  path: ResponsePath,
  parentType: GraphQLCompositeType,
): unknown {
  run.invalid = false;
  run.erred = false;
  if (outputValue === null || (outputValue !== undefined && !selection)) return outputValue;

  if (type.kind === 'nonNull') {
    const value = update(run, outputValue, type.of, inputValue, selection, path, parentType);
    if (value === null) {
      if (!run.erred) run.errors.push(invalid(`Cannot return null for non-nullable ${describeLast(path, type.of.type, parentType)}.`, path));
      run.invalid = true;
      run.erred = true;
      return null;
    }
    run.invalid = false;
    run.erred = false;
    return value;
  }

  if (inputValue === null) return null;

  if (type.kind === 'list') {
    if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${type.type.toString()}`);
    if (outputValue !== undefined && !Array.isArray(outputValue)) throw new Error(`Invalid non-list value returned by subgraph for list type ${type.type.toString()}`);
    const previous: readonly unknown[] | undefined = outputValue;
    if (previous && previous.length !== inputValue.length) throw new Error(`list length mismatch at ${path.join('.')}`);
    let shouldNullify = false;
    let erred = false;
    const updated = new Array<unknown>(inputValue.length);
    for (let i = 0; i < inputValue.length; i++) {
      path.push(i);
      updated[i] = update(run, previous?.[i], type.of, inputValue[i] ?? null, selection, path, parentType);
      path.pop();
      shouldNullify ||= run.invalid;
      erred ||= run.erred;
    }
    // A null element in a non-null position nulls the list, which is itself nullable here.
    run.invalid = false;
    run.erred = erred;
    return shouldNullify ? null : updated;
  }

  if (type.kind === 'composite') {
    if (!selection) throw new Error(`Invalid empty selection set for composite type ${type.type.name}`);
    if (typeof inputValue !== 'object') throw new Error(`Invalid non-object value returned by subgraph for composite type ${type.type.name}`);
    const object = inputValue as Record<string, unknown>;
    const inputTypename = object.__typename;
    if (inputTypename !== undefined && typeof inputTypename !== 'string') throw new Error(`Invalid non-string value for __typename at ${path.join('.')}`);
    let objectType: GraphQLCompositeType = type.type;
    if (inputTypename) {
      const named = run.schema.getType(inputTypename);
      if (!named || !isCompositeType(named)) {
        // Not named in the message: it may be an @inaccessible type (the API schema lacks it).
        run.errors.push(invalid(`Invalid __typename found for object at ${describeLast(path, type.type, parentType)}.`, path));
        run.erred = true;
        return null;
      }
      objectType = named;
    }
    const target = (outputValue === undefined ? Object.create(null) : outputValue) as Record<string, unknown>;
    const bubbled = applySelection(run, object, selection, target, path, objectType) === NULL_BUBBLE_UP;
    run.invalid = false;
    run.erred = bubbled;
    return bubbled ? null : target;
  }

  if (type.accepts(inputValue)) return inputValue;
  run.errors.push(invalid(`Invalid value found for ${describeLast(path, type.type, parentType)}.`, path));
  run.erred = true;
  return null;
}

/**
 * An output type as shaping reads it, decided once per field: graphql-js's type
 * predicates are `instanceof` checks, and a big response asks them for every value.
 */
type TypeShape =
  | { readonly kind: 'nonNull'; readonly of: TypeShape; readonly type: GraphQLOutputType }
  | { readonly kind: 'list'; readonly of: TypeShape; readonly type: GraphQLOutputType }
  | { readonly kind: 'composite'; readonly type: GraphQLCompositeType }
  | { readonly kind: 'leaf'; readonly type: GraphQLOutputType; readonly accepts: (value: unknown) => boolean };

const shapes = new WeakMap<GraphQLOutputType, TypeShape>();

function shapeOf(type: GraphQLOutputType): TypeShape {
  let shape = shapes.get(type);
  if (shape) return shape;
  if (isNonNullType(type)) shape = { kind: 'nonNull', of: shapeOf(type.ofType), type };
  else if (isListType(type)) shape = { kind: 'list', of: shapeOf(type.ofType), type };
  else if (isCompositeType(type)) shape = { kind: 'composite', type };
  else shape = { kind: 'leaf', type, accepts: leafCheck(type) };
  shapes.set(type, shape);
  return shape;
}

const INTEGER = /^[+-]?\d+$/;

/** federation-internals' `isValidLeafValue`: custom scalars take anything; built-ins and enums are checked. */
function leafCheck(type: GraphQLOutputType): (value: unknown) => boolean {
  const named = getNamedType(type);
  if (isEnumType(named)) return (value) => typeof value === 'string' && named.getValue(value) !== undefined;
  if (!isSpecifiedScalarType(named)) return () => true;
  switch (named.name) {
    case 'Boolean':
      return (value) => typeof value === 'boolean';
    case 'Int':
      return (value) => typeof value === 'number' && Number.isFinite(value) && INTEGER.test(String(value));
    case 'ID':
      return (value) => typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value) && INTEGER.test(String(value)));
    case 'Float':
      return (value) => typeof value === 'number' && Number.isFinite(value);
    default:
      return (value) => typeof value === 'string';
  }
}

function describeLast(path: ResponsePath, type: GraphQLOutputType, parentType: GraphQLCompositeType): string {
  const last = path[path.length - 1];
  return typeof last === 'string' ? `field ${parentType.name}.${last}` : `array element of type ${type.toString()} at index ${String(last)}`;
}

function invalid(message: string, path: ResponsePath): GraphQLError {
  return new GraphQLError(message, { path: [...path], extensions: { code: 'INVALID_GRAPHQL' } });
}
