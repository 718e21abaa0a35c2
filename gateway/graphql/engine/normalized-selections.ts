import { Kind, type SelectionNode } from 'graphql';
import type { Operation, SelectionSet } from '@apollo/federation-internals';

/**
 * The operation's selections as federation-internals normalized them (selections with the
 * same response name and directives merged where they first appear), in that order, as
 * graphql-js AST. That is the order @apollo/gateway's result shaping walks, so building
 * our shapes from it answers with the same key order. Fragment spreads become inline
 * fragments with the same type condition and directives (the shaping treats both alike);
 * `toSelectionSetNode` is not used because it prints `__typename` first.
 */
export function normalizedSelections(operation: Operation): SelectionNode[] {
  return convert(operation.selectionSet);
}

function convert(set: SelectionSet): SelectionNode[] {
  return set.selections().map((selection): SelectionNode => {
    const node = selection.toSelectionNode();
    const sub = selection.selectionSet;
    if (selection.kind === 'FieldSelection') {
      if (node.kind !== Kind.FIELD || !sub) return node;
      return { ...node, selectionSet: { kind: Kind.SELECTION_SET, selections: convert(sub) } };
    }
    const condition = selection.element.typeCondition;
    return {
      kind: Kind.INLINE_FRAGMENT,
      ...(condition ? { typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: condition.name } } } : {}),
      directives: node.directives ?? [],
      selectionSet: { kind: Kind.SELECTION_SET, selections: sub ? convert(sub) : [] },
    };
  });
}
