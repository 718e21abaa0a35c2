import DataLoader from 'dataloader';
import type { RequestContext } from '../../gateway/context/request-context.ts';
import type { Operation } from './operations.ts';
import { executeOrThrow, type SupergraphClient } from './supergraph-client.ts';

/*
 * DataLoader factories for BFF loaders. Every loader is created per request (bff-context.ts
 * calls the BFF's createLoaders once per request) and caches for that request only: two
 * callers never share a cache, so one user's data can never be answered to another.
 */

/** Most ids in one supergraph operation; a bigger screen makes several batches. */
const MAX_BATCH = 100;

type Identified = { readonly id: string };

/**
 * Products by id: every id asked for in the same tick goes into ONE `products(ids:)`
 * operation (the BFF's own document, with the fields that BFF shows). Unknown ids are null.
 */
export function productsById<T extends Identified>(
  supergraph: SupergraphClient,
  ctx: RequestContext,
  op: Operation<{ readonly products: ReadonlyArray<T | null> }, { ids: string[] }>,
): DataLoader<string, T | null> {
  return byIds(async (ids) => (await executeOrThrow(supergraph, op, { ids }, ctx)).products);
}

/** Users by id, batched into ONE `users(ids:)` operation. Unknown ids are null. */
export function usersById<T extends Identified>(
  supergraph: SupergraphClient,
  ctx: RequestContext,
  op: Operation<{ readonly users: readonly T[] }, { ids: string[] }>,
): DataLoader<string, T | null> {
  return byIds(async (ids) => (await executeOrThrow(supergraph, op, { ids }, ctx)).users);
}

/**
 * One fetch per key, remembered for the rest of the request: for a value several fields
 * of a screen derive from (the dashboard's orders feed both `orders` and `analytics`), so
 * it is fetched once, by whichever field asks first.
 */
export function oncePerKey<K, V>(fetch: (key: K) => Promise<V>): DataLoader<K, V> {
  return new DataLoader<K, V>(async (keys) => Promise.all(keys.map((k) => fetch(k).catch((error: unknown) => toError(error)))), { batch: false });
}

/**
 * A batch answered by id rather than by position, so it suits both `products(ids:)` (one
 * entry per id, null for unknown) and `users(ids:)` (unknown ids skipped).
 */
function byIds<T extends Identified>(fetchMany: (ids: string[]) => Promise<ReadonlyArray<T | null>>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(
    async (ids) => {
      const found = new Map<string, T>();
      for (const item of await fetchMany([...ids])) if (item) found.set(item.id, item);
      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/** DataLoader rejects a key whose batch entry is an Error instance. */
function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
