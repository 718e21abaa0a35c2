import autocannon from 'autocannon';

export interface LoadResult {
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly total: number;
  /** Requests sent, answered or not (a stopped load leaves up to `connections` unanswered). */
  readonly sent: number;
  /** Seconds the load actually ran. */
  readonly durationSec: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
  /** Seconds; every run is bounded in time … */
  readonly durationSec: number;
  /** … and in count. */
  readonly maxRequests: number;
  readonly connections: number;
}

/** One bounded autocannon run against a loopback URL. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const host = new URL(options.url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`load runs only against loopback, not ${host}`);
  // `amount` bounds the count; the timer bounds the time (autocannon ignores duration when amount is set).
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
    url: options.url,
    method: options.method ?? 'POST',
    body: options.body,
    headers: { 'content-type': 'application/json', ...options.headers },
    amount: options.maxRequests,
    connections: options.connections,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  const stopAt = setTimeout(() => instance?.stop(), options.durationSec * 1000);
  const result = await finished;
  clearTimeout(stopAt);
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
    sent: result.requests.sent,
    durationSec: result.duration,
  };
}

/**
 * Rounds of one target, interleaved with other targets' rounds so a noisy moment of the
 * machine lands on all of them: requests/s over the whole time, p50 the rounds' median,
 * p99 their worst (percentiles of rounds do not merge exactly; these are the honest bounds).
 */
export function combineRounds(rounds: readonly LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number): number => rounds.reduce((a, r) => a + f(r), 0);
  const p50s = rounds.map((r) => r.p50Ms).sort((a, b) => a - b);
  const durationSec = sum((r) => r.durationSec);
  return {
    requestsPerSec: durationSec > 0 ? sum((r) => r.total) / durationSec : 0,
    p50Ms: p50s[Math.floor(p50s.length / 2)] ?? 0,
    p99Ms: Math.max(...rounds.map((r) => r.p99Ms)),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    total: sum((r) => r.total),
    sent: sum((r) => r.sent),
    durationSec,
  };
}
