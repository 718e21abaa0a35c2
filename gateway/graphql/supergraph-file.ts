import { readFile } from 'node:fs/promises';
import { Supergraph } from '@apollo/federation-internals';
import type { SupergraphManager } from '@apollo/gateway';
import { gatewaySupportedFeatures } from './authorization/features.ts';

/** What an update did: swapped in, identical to what is served, or refused (the old one keeps serving). */
export type SupergraphUpdate = { readonly result: 'updated' } | { readonly result: 'unchanged' } | { readonly result: 'rejected'; readonly error: Error };

/**
 * Serves the composed supergraph from a file, and takes newer ones (the file changed, a
 * registry URL answered) through `apply`: validated first, then handed to the gateway.
 * Apollo Server keeps using the schema a request started with, so a swap never fails an
 * in-flight request.
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

  /** Re-reads the file and applies it. Throws only when the file cannot be read. */
  async reload(): Promise<SupergraphUpdate> {
    return this.apply(await readFile(this.path, 'utf8'));
  }

  /**
   * Validates `sdl` in full (the supergraph's own rules and its API schema) before the
   * gateway sees it. The gateway's update does throw on SDL it cannot build, but it only
   * validates outside production, and by the time building the API schema fails it has
   * already switched parts of its state (composition id, supergraph schema) to the new
   * SDL: it must only ever be handed SDL known to be good.
   */
  apply(sdl: string): SupergraphUpdate {
    if (sdl === this.#current) return { result: 'unchanged' };
    if (!this.#update) return { result: 'rejected', error: new Error('the gateway is not running') };
    try {
      // With the security features our authorization plugin enforces (see authorization/features.ts).
      Supergraph.build(sdl, { validateSupergraph: true, supportedFeatures: gatewaySupportedFeatures() }).apiSchema();
      this.#update(sdl);
    } catch (error) {
      return { result: 'rejected', error: error instanceof Error ? error : new Error(String(error)) };
    }
    this.#current = sdl;
    return { result: 'updated' };
  }
}
