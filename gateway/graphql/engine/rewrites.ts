import type { FetchDataRewrite } from '@apollo/query-planner';
import { isAbstractType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { isObject } from './merge.ts';
import type { ResultObject } from './types.ts';

const FRAGMENT_PREFIX = '... on ';

/**
 * The planner's input and output rewrites of a fetch (@interfaceObject's `__typename`
 * setters, aliased keys renamed back), applied as @apollo/gateway's dataRewrites.ts does.
 */
export function applyRewrites(schema: GraphQLSchema, rewrites: readonly FetchDataRewrite[] | undefined, value: ResultObject): void {
  if (!rewrites) return;
  for (const rewrite of rewrites) {
    if (rewrite.path.length === 0) continue;
    const parent = rewrite.path.slice(0, -1);
    const last = rewrite.path[rewrite.path.length - 1] ?? '';
    if (last.startsWith(FRAGMENT_PREFIX)) throw new Error(`Unexpected fragment as last element of ${rewrite.path.join('.')}`);
    applyAtPath(schema, parent, value, (obj) => {
      if (rewrite.kind === 'ValueSetter') {
        obj[last] = rewrite.setValueTo;
      } else {
        const at = Object.hasOwn(obj, last) ? obj[last] : undefined;
        if (at) {
          obj[rewrite.renameKeyTo] = at;
          obj[last] = undefined;
        }
      }
    });
  }
}

function applyAtPath(schema: GraphQLSchema, path: readonly string[], value: unknown, apply: (obj: ResultObject) => void): void {
  if (Array.isArray(value)) {
    for (const element of value) applyAtPath(schema, path, element, apply);
    return;
  }
  if (!isObject(value)) return;
  const [first, ...rest] = path;
  if (first === undefined) {
    apply(value);
    return;
  }
  if (first.startsWith(FRAGMENT_PREFIX)) {
    // Rewrites run before every __typename is known: an object without one still matches.
    if (isObjectOfType(schema, value, first.slice(FRAGMENT_PREFIX.length), true)) applyAtPath(schema, rest, value, apply);
  } else {
    applyAtPath(schema, rest, Object.hasOwn(value, first) ? value[first] : undefined, apply);
  }
}

/** Whether `obj` (by its `__typename`) is of `typeCondition` or a subtype, in the supergraph schema. */
export function isObjectOfType(schema: GraphQLSchema, obj: ResultObject, typeCondition: string, whenUnknown = false): boolean {
  const typename = obj.__typename;
  if (typeof typename !== 'string' || typename === '') return whenUnknown;
  if (typeCondition === typename) return true;
  const type = schema.getType(typename);
  const condition = schema.getType(typeCondition);
  if (!type || !condition) return false;
  return isAbstractType(condition) && (isObjectType(type) || isInterfaceType(type)) && schema.isSubType(condition, type);
}
