import { createHash } from 'node:crypto';
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  isUnionType,
  Kind,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { FieldGuards } from './field-guards.ts';
import type { Requirement } from './requirements.ts';

/** One unauthorized field, and where it is relative to the selection it was removed from. */
export interface Refused {
  /** Response keys from the removed selection down to the unauthorized field ([] when it is the field itself, or below a list). */
  readonly path: readonly string[];
  readonly requirement: Requirement;
  /** `Type.field` */
  readonly coordinate: string;
}

/**
 * Why a field selection was taken out. `unauthorized`: the caller fails one of its
 * requirements. `emptied`: allowed, but nothing under it was (Router's rule: the parent of
 * an emptied selection set goes too, so nothing about it is fetched); `below` names what was.
 */
export type Removal =
  | { readonly kind: 'unauthorized'; readonly refused: Refused }
  | { readonly kind: 'emptied'; readonly below: readonly Refused[] };

export interface FilteredOperation {
  /** The operation, and the fragments it still spreads, without the removed selections. */
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  /** sha256 of the filtered text: the query plan cache key of the filtered document. */
  readonly queryHash: string;
  /** No root field is left: there is nothing to execute. */
  readonly empty: boolean;
  /** By the field node of the original document. */
  readonly removals: ReadonlyMap<FieldNode, Removal>;
  /** The first unauthorized field in document order. */
  readonly first: Refused;
}

/**
 * The gateway reads `__typename` to tell which object an abstract position holds when it
 * fills in the removed fields (complete-result.ts); a rewritten document asks for it under
 * this alias wherever the type is abstract, and the client never sees it.
 */
export const TYPENAME_ALIAS = '_authz__typename';

/**
 * Removes from `operation` every selection the caller may not see (`refused` says which
 * requirements it fails), before anything is planned: subgraphs never receive them.
 * Returns null when nothing had to be removed. The answer depends only on the document and
 * on which requirements are refused, so the caller may cache it on those.
 */
export function filterOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  guards: FieldGuards,
  refused: (requirement: Requirement) => boolean,
): FilteredOperation | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const removals = new Map<FieldNode, Removal>();
  // Unauthorized fields as met, which is document order (a fragment's at its first spread).
  const found: Refused[] = [];
  const filteredFragments = new Map<string, Walked>();

  interface Walked {
    /** null: nothing left. The same object when nothing changed. */
    readonly set: SelectionSetNode | null;
    readonly refused: Refused[];
  }

  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType): Walked => {
    const kept: SelectionNode[] = [];
    const gone: Refused[] = [];
    let changed = false;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const field = name.startsWith('__') || isUnionType(parent) ? undefined : parent.getFields()[name];
        if (!field) {
          kept.push(selection); // meta fields (__typename): nothing to guard
          continue;
        }
        const key = selection.alias?.value ?? name;
        const coordinate = `${parent.name}.${name}`;
        const requirement = guards.of(parent, field).find(refused);
        if (requirement) {
          const r: Refused = { path: [], requirement, coordinate };
          removals.set(selection, { kind: 'unauthorized', refused: r });
          found.push(r);
          gone.push({ ...r, path: [key] });
          changed = true;
          continue;
        }
        const type = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(type)) {
          const inner = walk(selection.selectionSet, type);
          if (inner.set === null) {
            // Below a list, which element is which is unknown until execution: the list names them.
            const below = isListType(getNullableType(field.type)) ? dedupe(inner.refused.map((r) => ({ ...r, path: [] }))) : inner.refused;
            removals.set(selection, { kind: 'emptied', below });
            gone.push(...below.map((r) => ({ ...r, path: [key, ...r.path] })));
            changed = true;
            continue;
          }
          if (inner.set !== selection.selectionSet) {
            kept.push({ ...selection, selectionSet: inner.set });
            changed = true;
            continue;
          }
        }
        kept.push(selection);
      } else {
        const inner =
          selection.kind === Kind.INLINE_FRAGMENT
            ? walk(selection.selectionSet, typeCondition(schema, selection.typeCondition?.name.value) ?? parent)
            : spread(selection.name.value);
        gone.push(...inner.refused);
        if (inner.set === null) {
          changed = true;
        } else if (selection.kind === Kind.INLINE_FRAGMENT && inner.set !== selection.selectionSet) {
          kept.push({ ...selection, selectionSet: inner.set });
          changed = true;
        } else {
          kept.push(selection);
        }
      }
    }
    if (!changed) return { set, refused: gone };
    return { set: kept.length === 0 ? null : { ...set, selections: kept }, refused: gone };
  };

  // A fragment is filtered once, whatever spreads it: its fields' requirements do not depend on where.
  const spread = (name: string): Walked => {
    const done = filteredFragments.get(name);
    if (done) return done;
    const fragment = fragments.get(name);
    const type = fragment ? typeCondition(schema, fragment.typeCondition.name.value) : undefined;
    const result = fragment && type ? walk(fragment.selectionSet, type) : { set: null, refused: [] };
    filteredFragments.set(name, result);
    return result;
  };

  const root = schema.getRootType(operation.operation);
  if (!root) return null;
  const top = walk(operation.selectionSet, root);
  const first = found[0];
  if (!first) return null;
  if (top.set === null) return { document, operation, queryHash: '', empty: true, removals, first };

  const filtered = withTypenames(schema, {
    kind: Kind.DOCUMENT,
    definitions: [{ ...operation, selectionSet: top.set }, ...usedFragments(top.set, filteredFragments, fragments)],
  });
  // Equal text means an equal plan, so two callers with the same filtered document may share one.
  const queryHash = createHash('sha256').update(print(filtered)).digest('hex');
  return { document: filtered, operation: filtered.definitions[0] as OperationDefinitionNode, queryHash, empty: false, removals, first };
}

function typeCondition(schema: GraphQLSchema, name: string | undefined): GraphQLCompositeType | undefined {
  const type = name === undefined ? undefined : schema.getType(name);
  return type && isCompositeType(type) ? type : undefined;
}

function dedupe(list: readonly Refused[]): Refused[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const key = `${r.path.join('.')}|${r.coordinate}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The filtered fragments the filtered operation still spreads, directly or through another. */
function usedFragments(
  operation: SelectionSetNode,
  filtered: ReadonlyMap<string, { readonly set: SelectionSetNode | null }>,
  original: ReadonlyMap<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const collect = (node: SelectionSetNode | FragmentDefinitionNode): void => {
    visit(node, {
      FragmentSpread(spreadNode) {
        const name = spreadNode.name.value;
        const fragment = original.get(name);
        const set = filtered.get(name)?.set;
        if (used.has(name) || !fragment || !set) return;
        const next = set === fragment.selectionSet ? fragment : { ...fragment, selectionSet: set };
        used.set(name, next);
        collect(next);
      },
    });
  };
  collect(operation);
  return [...used.values()];
}

/** Adds `_authz__typename: __typename` to every selection set on an abstract type. */
function withTypenames(schema: GraphQLSchema, document: DocumentNode): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  const alias: FieldNode = { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: TYPENAME_ALIAS }, name: { kind: Kind.NAME, value: '__typename' } };
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet(node) {
        const parent = typeInfo.getParentType();
        return parent && isAbstractType(parent) ? { ...node, selections: [...node.selections, alias] } : undefined;
      },
    }),
  );
}
