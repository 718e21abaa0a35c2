import autocannon from 'autocannon';

export interface LoadResult {
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly total: number;
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
  };
}
