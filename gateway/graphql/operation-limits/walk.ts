import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';

export type FragmentMap = ReadonlyMap<string, FragmentDefinitionNode>;

/**
 * Shared plumbing of the measures: fragments by name, the operations to measure, and a
 * memo that evaluates each fragment once (a document spreading a fragment thousands of
 * times, or fragments spreading each other in a fan, stays linear) and breaks cycles
 * (invalid, and rejected by validation later, but measured first, so they must not loop).
 */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  return fragments;
}

/** The named operation, or every operation when no name is given (execution will insist on one if needed). */
export function operationsOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode[] {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.filter((op) => op.name?.value === operationName) : operations;
}

/** Introspection meta-fields (served or not per `introspection`); the depth and cost measures treat paths through them apart. */
export function isIntrospectionField(name: string): boolean {
  return name === '__schema' || name === '__type';
}

export type FragmentMemo<T> = (memoKey: string, name: string, measure: (fragment: FragmentDefinitionNode) => T) => T;

export function fragmentMemo<T>(fragments: FragmentMap, zero: T): FragmentMemo<T> {
  const memo = new Map<string, T>();
  const visiting = new Set<string>();
  return (memoKey, name, measure) => {
    const known = memo.get(memoKey);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || visiting.has(name)) return zero;
    visiting.add(name);
    try {
      const value = measure(fragment);
      memo.set(memoKey, value);
      return value;
    } finally {
      visiting.delete(name);
    }
  };
}
