import type { Server, IncomingMessage, ServerResponse } from 'node:http';

/**
 * Tracks in-flight requests so shutdown can drain them: stop accepting, let what started
 * finish (up to a deadline), close idle keep-alive sockets, then the rest.
 */
export class Lifecycle {
  #inFlight = 0;
  #draining = false;
  #idle: Array<() => void> = [];

  get draining(): boolean {
    return this.#draining;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  track(_req: IncomingMessage, res: ServerResponse): void {
    this.#inFlight++;
    res.once('close', () => {
      if (--this.#inFlight === 0) for (const wake of this.#idle.splice(0)) wake();
    });
  }

  async drain(server: Server, timeoutMs: number): Promise<{ drained: boolean }> {
    this.#draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const idle = this.#inFlight === 0 ? Promise.resolve(true) : new Promise<boolean>((resolve) => this.#idle.push(() => resolve(true)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const drained = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    server.closeAllConnections();
    await closed;
    return { drained };
  }
}
