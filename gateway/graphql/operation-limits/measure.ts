import { getIntrospectionQuery, Kind, parse, type SelectionSetNode } from 'graphql';
import { fragmentMemo, fragmentsOf, isIntrospectionField, operationsOf, type FragmentMap } from './walk.ts';

export interface Depths {
  /** Deepest field nesting outside introspection: a root field is depth 1; fragments and inline fragments add none. */
  readonly depth: number;
  /** Deepest nesting of a path through `__schema` or `__type`, counted the same way from the root (0 when there is none). */
  readonly introspectionDepth: number;
}

/**
 * How deep an operation goes, introspection apart: every field counts, introspection ones
 * too, but a path through `__schema`/`__type` is held to its own bound (see
 * `introspectionDepthLimit`), since the standard introspection query is deeper than the
 * data limit, while `__type { ofType { ofType … } }` nests as far as a client likes.
 */
export function depthsOf(selectionSet: SelectionSetNode, fragments: FragmentMap): Depths {
  const viaFragment = fragmentMemo<Depths>(fragments, NONE);
  const walk = (set: SelectionSetNode): Depths => {
    let depth = 0;
    let introspectionDepth = 0;
    for (const sel of set.selections) {
      let d: Depths;
      if (sel.kind === Kind.FIELD) {
        const below = sel.selectionSet ? walk(sel.selectionSet) : NONE;
        d = isIntrospectionField(sel.name.value)
          ? { depth: 0, introspectionDepth: 1 + Math.max(below.depth, below.introspectionDepth) }
          : { depth: 1 + below.depth, introspectionDepth: below.introspectionDepth > 0 ? 1 + below.introspectionDepth : 0 };
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        d = walk(sel.selectionSet);
      } else {
        d = viaFragment(sel.name.value, sel.name.value, (f) => walk(f.selectionSet));
      }
      if (d.depth > depth) depth = d.depth;
      if (d.introspectionDepth > introspectionDepth) introspectionDepth = d.introspectionDepth;
    }
    return { depth, introspectionDepth };
  };
  return walk(selectionSet);
}

const NONE: Depths = Object.freeze({ depth: 0, introspectionDepth: 0 });

/**
 * Depth of graphql-js's own introspection query with every option on (15 in graphql 16:
 * `__schema types fields args type` and nine levels of `ofType`), what GraphiQL, codegen
 * and rover send. Measured, so a graphql upgrade that deepens it moves this too.
 */
export const STANDARD_INTROSPECTION_DEPTH: number = (() => {
  const doc = parse(
    getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true }),
  );
  const fragments = fragmentsOf(doc);
  return Math.max(0, ...operationsOf(doc).map((op) => depthsOf(op.selectionSet, fragments).introspectionDepth));
})();

/** The bound for a path through introspection: the data limit, or the standard introspection query's depth if deeper. */
export function introspectionDepthLimit(maxDepth: number): number {
  return Math.max(maxDepth, STANDARD_INTROSPECTION_DEPTH);
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
