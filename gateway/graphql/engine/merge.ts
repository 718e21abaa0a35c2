import type { ResultObject } from './types.ts';

/**
 * Merges a subgraph's answer into the data gathered so far, as @apollo/gateway's
 * `deepMerge` does (objects recursively, equal-length lists element-wise, anything else
 * replaced), so both executors build the same tree for result shaping.
 */
export function deepMerge(target: ResultObject, source: unknown): ResultObject {
  if (source === undefined || source === null || typeof source !== 'object') return target;
  const from = source as ResultObject;
  for (const key of Object.keys(from)) {
    const value = from[key];
    if (value === undefined) continue;
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (existing && isObject(value) && isObject(existing)) {
      deepMerge(existing, value);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i++) {
        const a: unknown = existing[i];
        const b: unknown = value[i];
        if (isObject(a) && isObject(b)) deepMerge(a, b);
        else existing[i] = b;
      }
    } else {
      target[key] = value;
    }
  }
  return target;
}

export function isObject(value: unknown): value is ResultObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
