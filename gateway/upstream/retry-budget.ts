/**
 * A retry budget (Finagle/Envoy style): over a rolling window, retries may add at most
 * `ratio` × first attempts, plus `minRetries` so quiet upstreams can still retry.
 * During an outage every call fails, so the budget, not the per-call attempt limit,
 * bounds the extra load the gateway sends.
 */
export class RetryBudget {
  readonly #slots: Array<{ start: number; calls: number; retries: number }> = [];
  readonly #slotMs: number;

  constructor(
    private readonly ratio: number,
    private readonly minRetries: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#slotMs = Math.max(1, Math.floor(windowMs / 10));
  }

  recordCall(): void {
    this.#slot().calls++;
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryRetry(): boolean {
    const { calls, retries } = this.#totals();
    if (retries >= this.minRetries + this.ratio * calls) return false;
    this.#slot().retries++;
    return true;
  }

  #slot(): { start: number; calls: number; retries: number } {
    const now = this.now();
    const start = now - (now % this.#slotMs);
    const last = this.#slots[this.#slots.length - 1];
    if (last && last.start === start) return last;
    const fresh = { start, calls: 0, retries: 0 };
    this.#slots.push(fresh);
    while (this.#slots.length > 10) this.#slots.shift();
    return fresh;
  }

  #totals(): { calls: number; retries: number } {
    const horizon = this.now() - this.windowMs;
    let calls = 0;
    let retries = 0;
    for (const s of this.#slots) {
      if (s.start + this.#slotMs <= horizon) continue;
      calls += s.calls;
      retries += s.retries;
    }
    return { calls, retries };
  }
}
