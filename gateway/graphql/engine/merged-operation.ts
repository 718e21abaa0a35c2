import type { RawJson } from './raw-json.ts';
import { Kind, OperationTypeNode, parse, print, visit, type DefinitionNode, type DocumentNode, type FieldNode, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';

/** The alias of the i-th fetch's `_entities` in a merged operation, and its representations variable. */
export const entitiesAlias = (i: number): string => `_e${i}`;
const representationsVariable = (i: number): string => `_r${i}`;

/**
 * One operation for several `_entities` fetches to the same subgraph: each fetch's
 * `_entities` selection under its own alias, each with its own representations variable,
 * the client variables they use declared once, and their fragments renamed apart (the
 * planner may emit the same fragment name with different selections in two fetches).
 */
export function mergeEntityOperations(operations: readonly string[], name: string | undefined): string {
  const definitions: DefinitionNode[] = [];
  const variables = new Map<string, VariableDefinitionNode>();
  const fields: FieldNode[] = [];
  operations.forEach((text, i) => {
    const document = renameApart(parse(text, { noLocation: true }), i);
    for (const def of document.definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) {
        definitions.push(def);
        continue;
      }
      if (def.kind !== Kind.OPERATION_DEFINITION) continue;
      for (const v of def.variableDefinitions ?? []) if (!variables.has(v.variable.name.value)) variables.set(v.variable.name.value, v);
      for (const selection of def.selectionSet.selections) {
        if (selection.kind !== Kind.FIELD || selection.name.value !== '_entities') throw new Error('only _entities fetches are merged');
        fields.push({ ...selection, alias: { kind: Kind.NAME, value: entitiesAlias(i) } });
      }
    }
  });
  const operation: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    // Sent as `operationName` too: the subgraph must find it by that name.
    ...(name ? { name: { kind: Kind.NAME, value: name } } : {}),
    variableDefinitions: [...variables.values()],
    selectionSet: { kind: Kind.SELECTION_SET, selections: fields },
  };
  return print({ kind: Kind.DOCUMENT, definitions: [operation, ...definitions] });
}

/** `$representations` → `$_r<i>`, fragment `F` → `F__<i>`. */
function renameApart(document: DocumentNode, i: number): DocumentNode {
  return visit(document, {
    Variable(node) {
      return node.name.value === 'representations' ? { ...node, name: { ...node.name, value: representationsVariable(i) } } : undefined;
    },
    FragmentDefinition(node) {
      return { ...node, name: { ...node.name, value: `${node.name.value}__${i}` } };
    },
    FragmentSpread(node) {
      return { ...node, name: { ...node.name, value: `${node.name.value}__${i}` } };
    },
  });
}

/** The variables of a merged request: the client's, and each fetch's representations. */
export function mergedVariables(shared: Readonly<Record<string, unknown>>, representations: readonly RawJson[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...shared };
  representations.forEach((r, i) => {
    out[representationsVariable(i)] = r;
  });
  return out;
}
