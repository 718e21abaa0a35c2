/**
 * "This request was aborted", for any number of listeners, with ONE abort listener on the
 * request's signal in total.
 *
 * Every upstream attempt must stop when its request does (client gone, deadline), and one
 * request to /graphql makes 16+ subgraph fetches, more with retries. An abort listener per
 * fetch on `ctx.signal` passed Node's limit of 10 per EventTarget (a
 * MaxListenersExceededWarning per request under load), and EventTarget's add/remove is
 * much of an attempt's setup. So the request's first subscriber registers a single
 * listener that fans out to a Set; later attempts only add to it and delete from it.
 *
 * Once registered, the listener stays for the request's life (holding an empty Set between
 * attempts; it goes with the signal): removing and re-adding it around every attempt would
 * bring back the cost this exists to remove.
 */
export type AbortSubscriber = () => void;

export class AbortFanout {
  readonly signal: AbortSignal;
  /** Created with the listener, on the first subscriber: most requests' contexts never need either. */
  #subscribers: Set<AbortSubscriber> | undefined;

  constructor(signal: AbortSignal) {
    this.signal = signal;
  }

  /**
   * Calls `subscriber` once, synchronously, when the request aborts, unless it is deleted
   * first. Returns false, and registers nothing, when the request has already aborted: the
   * caller acts at once (calling it from here would run it before the caller is set up).
   */
  add(subscriber: AbortSubscriber): boolean {
    if (this.signal.aborted) return false;
    if (this.#subscribers === undefined) {
      this.#subscribers = new Set();
      this.signal.addEventListener('abort', this.#fire.bind(this), { once: true });
    }
    this.#subscribers.add(subscriber);
    return true;
  }

  /** When the work the subscriber guarded is done; deleting twice, or after the abort, is harmless. */
  delete(subscriber: AbortSubscriber): void {
    this.#subscribers?.delete(subscriber);
  }

  /** Subscribers waiting (what a long request holds; tests). */
  get size(): number {
    return this.#subscribers?.size ?? 0;
  }

  /**
   * In subscription order, as separate listeners would run (one deleted by an earlier one
   * does not run). A subscriber that throws does not stop the others; its error is
   * reported as uncaught, as EventTarget does. Nothing can subscribe meanwhile: the signal
   * is already aborted.
   */
  #fire(): void {
    const subscribers = this.#subscribers;
    if (subscribers === undefined) return;
    for (const subscriber of subscribers) {
      try {
        subscriber();
      } catch (error) {
        process.nextTick(() => {
          throw error;
        });
      }
    }
    subscribers.clear();
  }
}

/** What `abortFanoutOf` reads: a RequestContext, or anything with a signal. */
export interface AbortSource {
  readonly signal: AbortSignal;
  readonly abortFanout?: AbortFanout;
}

// For contexts not built by createRequestContext (which gives each its fan-out): keyed by
// the signal, so the entry goes with it. A WeakMap entry costs the GC more than a field.
const bySignal = new WeakMap<AbortSignal, AbortFanout>();

/**
 * The request's abort fan-out: listen to the request's abort through it, never on
 * `ctx.signal` directly. The context's own when it has one for this signal (a copy of a
 * context with another signal gets that signal's).
 */
export function abortFanoutOf(ctx: AbortSource): AbortFanout {
  const own = ctx.abortFanout;
  if (own !== undefined && own.signal === ctx.signal) return own;
  let fanout = bySignal.get(ctx.signal);
  if (fanout === undefined) {
    fanout = new AbortFanout(ctx.signal);
    bySignal.set(ctx.signal, fanout);
  }
  return fanout;
}
