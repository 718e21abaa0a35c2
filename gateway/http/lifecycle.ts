import { Server as NetServer, type Socket } from 'node:net';
import type { Server, IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

interface SocketState {
  /** Requests on this socket not yet answered. */
  active: number;
  /** Requests it has carried so far. */
  served: number;
}

/** How long a connection accepted just before the listener closed may take to send its request. */
const FRESH_CONNECTION_GRACE_MS = 250;

export interface DrainOptions {
  /** Budget for in-flight requests to finish once the listener is closed. */
  readonly timeoutMs: number;
  /** Keep accepting (readiness already 503) this long first, so load balancers move away. */
  readonly delayMs?: number;
}

/**
 * Tracks connections and in-flight requests so shutdown can drain them: readiness turns
 * false at once, new requests are still served for `delayMs`, then the listener closes,
 * idle keep-alive connections are closed, what started finishes (up to a deadline), and
 * what remains is cut.
 */
export class Lifecycle {
  #inFlight = 0;
  #draining = false;
  #idle: Array<() => void> = [];
  readonly #sockets = new Map<Socket, SocketState>();

  get draining(): boolean {
    return this.#draining;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Call once, before listening: connections are tracked from their first byte. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.#sockets.set(socket, { active: 0, served: 0 });
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  track(req: IncomingMessage, res: ServerResponse): void {
    this.#inFlight++;
    const state = this.#sockets.get(req.socket);
    if (state) {
      state.active++;
      state.served++;
    }
    // Whatever route answers: while draining, the client must not reuse this connection.
    if (this.#draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      if (state) state.active--;
      if (--this.#inFlight === 0) for (const wake of this.#idle.splice(0)) wake();
    });
  }

  async drain(server: Server, options: DrainOptions): Promise<{ drained: boolean }> {
    this.#draining = true;
    const started = Date.now();
    if (options.delayMs) await sleep(options.delayMs);
    // net's close stops listening only. http's close() would also destroy every idle
    // connection at once, including one accepted a moment ago whose request is still in
    // the kernel's buffer: its client would see a reset for a request it did send.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    this.#closeIdle((s) => s.served > 0);
    await this.#graceForFreshConnections();
    this.#closeIdle(() => true);

    const remaining = Math.max(0, options.timeoutMs - (Date.now() - started - (options.delayMs ?? 0)));
    const idle = this.#inFlight === 0 ? Promise.resolve(true) : new Promise<boolean>((resolve) => this.#idle.push(() => resolve(true)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), remaining);
    });
    const drained = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    server.closeAllConnections();
    await closed;
    return { drained };
  }

  /** Waits (bounded) until no connection is still waiting to send its first request. */
  async #graceForFreshConnections(): Promise<void> {
    const until = Date.now() + FRESH_CONNECTION_GRACE_MS;
    while (Date.now() < until && [...this.#sockets.values()].some((s) => s.served === 0)) await sleep(10);
  }

  #closeIdle(which: (s: SocketState) => boolean): void {
    for (const [socket, state] of this.#sockets) if (state.active === 0 && which(state)) socket.destroy();
  }
}
