import type { Logger } from '../telemetry/logger.ts';

export type CloseHook = () => Promise<void> | void;

/**
 * What the gateway closes on shutdown, after in-flight requests drained: pools, stores
 * (Redis), doors, watchers. Each part registers its own closer where it is built, so
 * close order needs no central list: hooks run last registered first (what was built
 * later may use what was built earlier), one at a time, and one that fails is logged
 * without stopping the rest.
 */
export class CloseHooks {
  readonly #hooks: Array<{ name: string; close: CloseHook }> = [];
  #closed = false;

  add(name: string, close: CloseHook): void {
    if (this.#closed) throw new Error(`cannot register "${name}": the gateway is already closed`);
    this.#hooks.push({ name, close });
  }

  async run(log: Logger): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const { name, close } of this.#hooks.reverse()) {
      try {
        await close();
      } catch (error) {
        log.error({ err: error, part: name }, 'close failed during shutdown');
      }
    }
  }
}
