import {
  DirectiveLocation,
  Kind,
  TypeInfo,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isNonNullType,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type GraphQLArgument,
  type GraphQLNamedType,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import {
  directiveLocationKey,
  directiveRepeatedKey,
  fieldSpreadKey,
  mayBeNullKey,
  mayBeOmittedKey,
  spreadKey,
} from './usage-keys.ts';

/** Where an operation first uses a key: the line a report points at. */
export interface UsageSite {
  readonly file: string;
  readonly line: number;
}

type Add = (key: string, node: ASTNode) => void;

/** What a variable can carry at run time, from its definition. */
interface VariableShape {
  /** The client may send null for it. */
  readonly mayBeNull: boolean;
  /** The client may leave it unset, and it has no default: the argument is then omitted. */
  readonly mayBeUnset: boolean;
}

/**
 * Every key (see usage-keys.ts) an operation uses, walked with graphql's TypeInfo against
 * `schema`. Call it with the base schema to see what removed elements an operation used,
 * and with the new one for elements that only exist there; elements the schema does not
 * know are skipped, never guessed.
 *
 * Variables are conservative: an operation with a `$input: UserInput` variable may send
 * any field of UserInput and any value of the enums inside it, and may leave any of its
 * fields out or null, so all of them count as used. Literals count exactly what they contain.
 */
export function collectUsage(schema: GraphQLSchema, document: DocumentNode): Map<string, UsageSite> {
  const used = new Map<string, UsageSite>();
  const add: Add = (key, node) => {
    if (used.has(key) || !node.loc) return;
    used.set(key, { file: node.loc.source.name, line: node.loc.startToken.line });
  };
  const fragmentTypes = new Map<string, string>();
  const variables = new Map<string, VariableShape>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragmentTypes.set(def.name.value, def.typeCondition.name.value);
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const v of def.variableDefinitions ?? []) {
      const nullable = v.type.kind !== Kind.NON_NULL_TYPE;
      const before = variables.get(v.variable.name.value);
      // Fragments see the variables of every operation they are spread in: any may apply.
      variables.set(v.variable.name.value, {
        mayBeNull: nullable || (before?.mayBeNull ?? false),
        mayBeUnset: (nullable && v.defaultValue === undefined) || (before?.mayBeUnset ?? false),
      });
    }
  }
  const inputValue = (coordinate: string, value: ValueNode | undefined, at: ASTNode): void => {
    const shape = valueShape(value, variables);
    if (shape.mayBeUnset) add(mayBeOmittedKey(coordinate), at);
    if (shape.mayBeNull) add(mayBeNullKey(coordinate), at);
  };
  const inputArguments = (owner: string, defs: readonly GraphQLArgument[], passed: readonly ArgumentNode[] | undefined, at: ASTNode): void => {
    for (const def of defs) inputValue(`${owner}(${def.name}:)`, passed?.find((a) => a.name.value === def.name)?.value, at);
  };
  const directivesAt = (directives: readonly DirectiveNode[] | undefined, location: DirectiveLocation): void => {
    const seen = new Set<string>();
    for (const d of directives ?? []) {
      add(directiveLocationKey(d.name.value, location), d);
      if (seen.has(d.name.value)) add(directiveRepeatedKey(d.name.value), d);
      seen.add(d.name.value);
    }
  };
  // The field whose selection set a fragment is spread in directly, or null when it is
  // spread in another fragment's selection (whose own type condition is then the parent).
  const fieldContext: Array<string | null> = [];
  const enclosingField = (): string | null => fieldContext.at(-1) ?? null;
  const typeInfo = new TypeInfo(schema);

  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        const root = schema.getRootType(node.operation);
        if (root) add(root.name, node);
        directivesAt(node.directives, operationLocation[node.operation]);
      },
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type);
        if (type) addInputTypeDeep(getNamedType(type), node, add, new Set());
        directivesAt(node.directives, DirectiveLocation.VARIABLE_DEFINITION);
      },
      Field: {
        enter(node) {
          directivesAt(node.directives, DirectiveLocation.FIELD);
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          const coordinate = parent && field ? `${parent.name}.${field.name}` : null;
          fieldContext.push(coordinate);
          if (!parent || !field || !coordinate) return;
          add(parent.name, node);
          if (field.name.startsWith('__')) return; // __typename and introspection are always there
          add(coordinate, node);
          add(getNamedType(field.type).name, node);
          inputArguments(coordinate, field.args, node.arguments, node);
        },
        leave() {
          fieldContext.pop();
        },
      },
      Argument(node) {
        const arg = typeInfo.getArgument();
        if (!arg) return;
        const directive = typeInfo.getDirective();
        if (directive) {
          add(`@${directive.name}(${arg.name}:)`, node);
        } else {
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          if (parent && field) add(`${parent.name}.${field.name}(${arg.name}:)`, node);
        }
        add(getNamedType(arg.type).name, node);
      },
      ObjectValue(node) {
        const type = getNamedType(typeInfo.getInputType());
        if (!type || !isInputObjectType(type)) return;
        for (const field of Object.values(type.getFields())) {
          inputValue(`${type.name}.${field.name}`, node.fields.find((f) => f.name.value === field.name)?.value, node);
        }
      },
      ObjectField(node) {
        const parent = getNamedType(typeInfo.getParentInputType());
        if (!parent || !isInputObjectType(parent)) return;
        add(parent.name, node);
        add(`${parent.name}.${node.name.value}`, node);
        const type = typeInfo.getInputType();
        if (type) add(getNamedType(type).name, node);
      },
      EnumValue(node) {
        const type = getNamedType(typeInfo.getInputType());
        if (type && isEnumType(type)) add(`${type.name}.${node.value}`, node);
      },
      Directive(node) {
        add(`@${node.name.value}`, node);
        const directive = typeInfo.getDirective();
        if (directive) inputArguments(`@${directive.name}`, directive.args, node.arguments, node);
      },
      InlineFragment: {
        enter(node) {
          directivesAt(node.directives, DirectiveLocation.INLINE_FRAGMENT);
          const parent = typeInfo.getParentType();
          const condition = node.typeCondition?.name.value;
          const field = enclosingField();
          // Without a type condition the selection still belongs to the enclosing field.
          fieldContext.push(condition ? null : field);
          if (!parent || !condition) return;
          add(condition, node);
          add(spreadKey(parent.name, condition), node);
          if (field) add(fieldSpreadKey(field, condition), node);
        },
        leave() {
          fieldContext.pop();
        },
      },
      FragmentSpread(node) {
        directivesAt(node.directives, DirectiveLocation.FRAGMENT_SPREAD);
        const parent = typeInfo.getParentType();
        const condition = fragmentTypes.get(node.name.value);
        if (!parent || !condition) return;
        add(spreadKey(parent.name, condition), node);
        const field = enclosingField();
        if (field) add(fieldSpreadKey(field, condition), node);
      },
      FragmentDefinition: {
        enter(node) {
          directivesAt(node.directives, DirectiveLocation.FRAGMENT_DEFINITION);
          fieldContext.push(null);
          add(node.typeCondition.name.value, node);
        },
        leave() {
          fieldContext.pop();
        },
      },
    }),
  );
  return used;
}

const operationLocation = {
  query: DirectiveLocation.QUERY,
  mutation: DirectiveLocation.MUTATION,
  subscription: DirectiveLocation.SUBSCRIPTION,
} as const;

/** What an input value written as `value` (absent: not written) may be at run time. */
function valueShape(value: ValueNode | undefined, variables: ReadonlyMap<string, VariableShape>): VariableShape {
  if (value === undefined) return { mayBeNull: false, mayBeUnset: true };
  if (value.kind === Kind.NULL) return { mayBeNull: true, mayBeUnset: false };
  if (value.kind === Kind.VARIABLE) return variables.get(value.name.value) ?? { mayBeNull: true, mayBeUnset: true };
  return { mayBeNull: false, mayBeUnset: false };
}

function addInputTypeDeep(type: GraphQLNamedType, node: ASTNode, add: Add, seen: Set<string>): void {
  if (seen.has(type.name)) return; // input types may be recursive
  seen.add(type.name);
  add(type.name, node);
  if (isEnumType(type)) {
    for (const value of type.getValues()) add(`${type.name}.${value.name}`, node);
  } else if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      add(coordinate, node);
      // A variable's value is JSON the client builds: any field may be missing or null.
      if (!isNonNullType(field.type)) add(mayBeNullKey(coordinate), node);
      if (!isNonNullType(field.type) || field.defaultValue !== undefined) add(mayBeOmittedKey(coordinate), node);
      addInputTypeDeep(getNamedType(field.type), node, add, seen);
    }
  }
}
