import { readFile } from 'node:fs/promises';
import type { SupergraphManager } from '@apollo/gateway';

/**
 * Serves the composed supergraph from a file. `reload()` re-reads it and hands it to the
 * gateway, which validates it and keeps the old schema on failure (hot reload builds on
 * this in the observability issue).
 */
export class SupergraphFile implements SupergraphManager {
  #update: ((sdl: string) => void) | undefined;
  #current: string | undefined;

  constructor(readonly path: string) {}

  get loaded(): boolean {
    return this.#current !== undefined;
  }

  initialize: SupergraphManager['initialize'] = async ({ update }) => {
    this.#update = update;
    this.#current = await readFile(this.path, 'utf8');
    return { supergraphSdl: this.#current, cleanup: async () => void (this.#update = undefined) };
  };

  /** Re-reads the file; returns false when unchanged. Throws when the gateway rejects it. */
  async reload(): Promise<boolean> {
    const sdl = await readFile(this.path, 'utf8');
    if (sdl === this.#current || !this.#update) return false;
    this.#update(sdl);
    this.#current = sdl;
    return true;
  }
}
