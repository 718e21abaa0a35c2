import { Server as NetServer, type Socket } from 'node:net';
import type { Server, IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/**
 * Graceful shutdown of the HTTP server, in this order (the reasons are the kernel's):
 *
 * 1. **Readiness off, keep serving** for `delayMs` (`server.shutdownDelayMs`): `/readyz`
 *    answers 503 so load balancers stop opening connections here, while everything that
 *    arrives, on old connections or new ones, is served as usual. Each connection open at
 *    SIGTERM is asked once to go away (`connection: close` on its next response), so a
 *    balancer's pooled connections move to other instances; connections accepted later are
 *    not asked, or every client would reconnect after every answer (a reconnection storm,
 *    each reconnection one more handshake racing the listener's close).
 * 2. **Wait for a quiet accept queue**, then stop listening. The kernel completes TCP
 *    handshakes on its own and queues them for `accept()`; the client's `connect` has
 *    fired. Closing the listening socket resets every connection still in that queue,
 *    requests already sent. Node accepts everything queued each time the event loop polls,
 *    so the listener is closed only once no connection has been accepted for
 *    `ACCEPT_QUIET_MS`, right after a poll (nothing queued before it is left behind). If
 *    clients keep connecting despite readiness, this waits at most `ACCEPT_QUIET_MAX_MS`
 *    (and half the drain budget): closing then may reset what lands in the queue at that
 *    instant; `drain()` says so (`acceptQueueQuiet: false`) and the caller logs it.
 * 3. **Drain accepted connections** (up to `timeoutMs`, `server.drainTimeoutMs`): every
 *    request on an accepted connection is served, in flight or arriving, and its response
 *    says `connection: close`. A connection with no request for `IDLE_CLOSE_MS` (since it
 *    was accepted or its last response), and no bytes of a next one received, is closed:
 *    a client that sent a request on it long enough ago has been read by then. (An HTTP/1.1
 *    server closing an idle connection always races a client that sends at that very
 *    instant, as `keepAliveTimeout` does; clients retry idempotent requests on a reused
 *    connection, RFC 9112 §9.3.1.) At the deadline whatever remains is cut.
 *
 * Envoy's drain does the same in spirit (health check fails first, `Connection: close` /
 * GOAWAY during the drain period, listeners closed last); nginx's graceful stop closes the
 * listeners first and so resets its backlog, which is why it is run behind a readiness
 * delay too.
 */

/** The listener closes once no connection has been accepted for this long. */
const ACCEPT_QUIET_MS = 100;
/** …or after this long, if clients keep connecting despite readiness. */
const ACCEPT_QUIET_MAX_MS = 1_000;
/** After the listener closed, a connection with no request for this long is closed. */
const IDLE_CLOSE_MS = 250;
/** How often the drain looks for idle connections and for the end. */
const SWEEP_MS = 20;

interface Connection {
  /** Its requests not yet answered. */
  readonly active: Set<ServerResponse>;
  /** When it was accepted or its last response ended: idle since then if `active` is empty. */
  idleSince: number;
  /** `socket.bytesRead` at `idleSince`: more means a next request is arriving. */
  bytesAtIdle: number;
  /** Its next response says `connection: close` (phase 1, once). */
  closeAfterNext: boolean;
}

/** `serving` → `draining` (readiness off, still accepting) → `closing` (listener closed). */
type Phase = 'serving' | 'draining' | 'closing';

export interface DrainOptions {
  /** Budget for what was accepted to finish once the delay is over. */
  readonly timeoutMs: number;
  /** Keep accepting (readiness already 503) this long first, so load balancers move away. */
  readonly delayMs?: number;
}

export interface DrainResult {
  /** Every request in flight finished before the deadline. */
  readonly drained: boolean;
  /** The accept queue was quiet when the listener closed (false: clients ignored readiness). */
  readonly acceptQueueQuiet: boolean;
}

/** Tracks connections and in-flight requests so shutdown can drain them (sequence above). */
export class Lifecycle {
  #phase: Phase = 'serving';
  #inFlight = 0;
  #lastAcceptAt = 0;
  readonly #connections = new Map<Socket, Connection>();

  get draining(): boolean {
    return this.#phase !== 'serving';
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Call once, before listening: connections are tracked from the moment they are accepted. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.#lastAcceptAt = Date.now();
      this.#connections.set(socket, { active: new Set(), idleSince: this.#lastAcceptAt, bytesAtIdle: 0, closeAfterNext: false });
      socket.once('close', () => this.#connections.delete(socket));
    });
  }

  track(req: IncomingMessage, res: ServerResponse): void {
    this.#inFlight++;
    const socket = req.socket;
    const conn = this.#connections.get(socket);
    if (conn) {
      conn.active.add(res);
      if (this.#phase === 'closing' || conn.closeAfterNext) {
        res.setHeader('connection', 'close');
        conn.closeAfterNext = false;
      }
    }
    res.once('close', () => {
      this.#inFlight--;
      if (!conn) return;
      conn.active.delete(res);
      conn.idleSince = Date.now();
      conn.bytesAtIdle = socket.bytesRead;
    });
  }

  async drain(server: Server, options: DrainOptions): Promise<DrainResult> {
    this.#phase = 'draining';
    for (const conn of this.#connections.values()) askToClose(conn);
    if (options.delayMs) await sleep(options.delayMs);

    const deadline = Date.now() + options.timeoutMs;
    const acceptQueueQuiet = await this.#untilAcceptQuiet(Date.now() + Math.min(ACCEPT_QUIET_MAX_MS, options.timeoutMs / 2));
    // net's close stops listening only; http's would also close idle connections at once,
    // including one accepted a moment ago whose request is still in the kernel's buffer.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    this.#phase = 'closing';
    for (const conn of this.#connections.values()) askToClose(conn);

    while (this.#connections.size > 0 && Date.now() < deadline) {
      this.#closeIdle(Date.now());
      await sleep(Math.max(1, Math.min(SWEEP_MS, deadline - Date.now())));
    }
    const drained = this.#inFlight === 0;
    server.closeAllConnections();
    await closed;
    return { drained, acceptQueueQuiet };
  }

  /** Resolves right after an event-loop poll once nothing was accepted for `ACCEPT_QUIET_MS`, or at `until`. */
  async #untilAcceptQuiet(until: number): Promise<boolean> {
    for (;;) {
      const quietFor = Date.now() - this.#lastAcceptAt;
      if (quietFor >= ACCEPT_QUIET_MS) {
        // A timer fires before the loop's poll phase; an immediate right after it, once
        // whatever the kernel had queued has been accepted (and counted above).
        await nextTurn();
        if (Date.now() - this.#lastAcceptAt >= ACCEPT_QUIET_MS) return true;
      }
      if (Date.now() >= until) {
        await nextTurn();
        return false;
      }
      await sleep(Math.max(1, Math.min(ACCEPT_QUIET_MS - quietFor, until - Date.now())));
    }
  }

  #closeIdle(now: number): void {
    for (const [socket, conn] of this.#connections) {
      if (conn.active.size === 0 && now - conn.idleSince >= IDLE_CLOSE_MS && socket.bytesRead === conn.bytesAtIdle) socket.destroy();
    }
  }
}

/** `connection: close` on the response being prepared, else on the next one. */
function askToClose(conn: Connection): void {
  let asked = false;
  for (const res of conn.active) {
    if (!res.headersSent) {
      res.setHeader('connection', 'close');
      asked = true;
    }
  }
  conn.closeAfterNext = !asked;
}
