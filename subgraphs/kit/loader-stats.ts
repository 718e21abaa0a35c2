import DataLoader from 'dataloader';

export interface LoaderCount {
  /** How many times the batch function ran (one per tick in which keys were asked for). */
  readonly batches: number;
  /** How many keys those batches looked up in total. */
  readonly keys: number;
}

/**
 * Counts batch lookups per loader name for one running subgraph, so a test can prove that
 * an `_entities` call with N representations cost one lookup, not N. Keyed by loader name,
 * which the code fixes, so the map cannot grow with traffic.
 */
export class LoaderStats {
  readonly #counts = new Map<string, { batches: number; keys: number }>();

  record(loader: string, keys: number): void {
    const c = this.#counts.get(loader) ?? { batches: 0, keys: 0 };
    c.batches++;
    c.keys += keys;
    this.#counts.set(loader, c);
  }

  /** A copy, sorted by loader name. */
  snapshot(): Record<string, LoaderCount> {
    const out: Record<string, LoaderCount> = {};
    for (const name of [...this.#counts.keys()].sort()) {
      const c = this.#counts.get(name) as LoaderCount;
      out[name] = { batches: c.batches, keys: c.keys };
    }
    return out;
  }

  reset(): void {
    this.#counts.clear();
  }
}

/**
 * A per-request DataLoader over an in-memory lookup that answers keys in order
 * (`undefined` for a miss becomes `null`).
 */
export function countingLoader<K, V>(
  stats: LoaderStats,
  name: string,
  lookup: (keys: readonly K[]) => ReadonlyArray<V | undefined>,
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    stats.record(name, keys.length);
    return lookup(keys).map((v) => v ?? null);
  });
}
