import {
  Kind,
  TypeInfo,
  getNamedType,
  isEnumType,
  isInputObjectType,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { spreadKey } from './usage-keys.ts';

/** Where an operation first uses a key: the line a report points at. */
export interface UsageSite {
  readonly file: string;
  readonly line: number;
}

/**
 * Every key (see usage-keys.ts) an operation uses, walked with graphql's TypeInfo against
 * `schema`. Call it with the base schema to see what removed elements an operation used,
 * and with the new one for elements that only exist there; elements the schema does not
 * know are skipped, never guessed.
 *
 * Variables are conservative: an operation with a `$input: UserInput` variable may send
 * any field of UserInput and any value of the enums inside it, so all of them count as
 * used. Literals count exactly what they contain.
 */
export function collectUsage(schema: GraphQLSchema, document: DocumentNode): Map<string, UsageSite> {
  const used = new Map<string, UsageSite>();
  const add = (key: string, node: ASTNode): void => {
    if (used.has(key) || !node.loc) return;
    used.set(key, { file: node.loc.source.name, line: node.loc.startToken.line });
  };
  const fragmentTypes = new Map<string, string>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragmentTypes.set(def.name.value, def.typeCondition.name.value);
  }
  const typeInfo = new TypeInfo(schema);

  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        const root = schema.getRootType(node.operation);
        if (root) add(root.name, node);
      },
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type);
        if (type) addInputTypeDeep(getNamedType(type), node, add, new Set());
      },
      Field(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) return;
        add(parent.name, node);
        if (field.name.startsWith('__')) return; // __typename and introspection are always there
        add(`${parent.name}.${field.name}`, node);
        add(getNamedType(field.type).name, node);
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
      },
      InlineFragment(node) {
        const parent = typeInfo.getParentType();
        const condition = node.typeCondition?.name.value;
        if (!parent || !condition) return;
        add(condition, node);
        add(spreadKey(parent.name, condition), node);
      },
      FragmentSpread(node) {
        const parent = typeInfo.getParentType();
        const condition = fragmentTypes.get(node.name.value);
        if (parent && condition) add(spreadKey(parent.name, condition), node);
      },
      FragmentDefinition(node) {
        add(node.typeCondition.name.value, node);
      },
    }),
  );
  return used;
}

function addInputTypeDeep(
  type: GraphQLNamedType,
  node: ASTNode,
  add: (key: string, node: ASTNode) => void,
  seen: Set<string>,
): void {
  if (seen.has(type.name)) return; // input types may be recursive
  seen.add(type.name);
  add(type.name, node);
  if (isEnumType(type)) {
    for (const value of type.getValues()) add(`${type.name}.${value.name}`, node);
  } else if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) {
      add(`${type.name}.${field.name}`, node);
      addInputTypeDeep(getNamedType(field.type), node, add, seen);
    }
  }
}
