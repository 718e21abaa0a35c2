import { Kind, type SelectionSetNode } from 'graphql';
import { fragmentMemo, isIntrospectionField, type FragmentMap } from './walk.ts';

/** Deepest field nesting: a root field is depth 1; fragments and inline fragments add none. */
export function depthOf(selectionSet: SelectionSetNode, fragments: FragmentMap): number {
  const viaFragment = fragmentMemo<number>(fragments, 0);
  const walk = (set: SelectionSetNode): number => {
    let max = 0;
    for (const sel of set.selections) {
      let depth: number;
      if (sel.kind === Kind.FIELD) {
        if (isIntrospectionField(sel.name.value)) continue;
        depth = 1 + (sel.selectionSet ? walk(sel.selectionSet) : 0);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        depth = walk(sel.selectionSet);
      } else {
        depth = viaFragment(sel.name.value, sel.name.value, (f) => walk(f.selectionSet));
      }
      if (depth > max) max = depth;
    }
    return max;
  };
  return walk(selectionSet);
}

/** Aliased fields, a fragment's counted once per spread (what execution would resolve, at most). */
export function aliasCountOf(selectionSet: SelectionSetNode, fragments: FragmentMap): number {
  const viaFragment = fragmentMemo<number>(fragments, 0);
  const walk = (set: SelectionSetNode): number => {
    let count = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.alias) count++;
        if (sel.selectionSet) count += walk(sel.selectionSet);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        count += walk(sel.selectionSet);
      } else {
        count += viaFragment(sel.name.value, sel.name.value, (f) => walk(f.selectionSet));
      }
    }
    return count;
  };
  return walk(selectionSet);
}

/**
 * Distinct root response keys (alias or name): what the operation asks the root for.
 * `{ a a }` executes `a` once and counts 1; `{ x: a y: a }` counts 2.
 */
export function rootFieldCountOf(selectionSet: SelectionSetNode, fragments: FragmentMap): number {
  const keys = new Set<string>();
  const seen = new Set<string>();
  const collect = (set: SelectionSetNode): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) keys.add((sel.alias ?? sel.name).value);
      else if (sel.kind === Kind.INLINE_FRAGMENT) collect(sel.selectionSet);
      else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value); // a fragment adds the same keys however often it is spread
        const fragment = fragments.get(sel.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  collect(selectionSet);
  return keys.size;
}
