/**
 * Calls in flight by key: a second caller with the same key while the first is running
 * gets the first one's promise instead of starting its own. The entry goes as soon as the
 * call settles, so nothing is cached: only what is in flight at the same moment is shared.
 */
export class InflightRequests<T> {
  readonly #running = new Map<string, Promise<T>>();

  run(key: string, start: () => Promise<T>, onShared?: () => void): Promise<T> {
    const running = this.#running.get(key);
    if (running) {
      onShared?.();
      return running;
    }
    const started = start();
    this.#running.set(key, started);
    const forget = (): void => void this.#running.delete(key);
    started.then(forget, forget);
    return started;
  }

  get size(): number {
    return this.#running.size;
  }
}
