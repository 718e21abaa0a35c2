import { Agent, request } from 'undici';
import type { LoadResult } from '../load.ts';
import { fetchRecentRequests, fetchWorkloadRequests } from './subgraphs.ts';

/** One subgraph request as a gateway sent it. */
export interface RecordedRequest {
  readonly subgraph: string;
  readonly url: string;
  readonly body: string;
}

/**
 * The subgraph requests one client request causes: counters before and after `send`, then
 * that many of each subgraph's most recent request bodies. Run it with nothing else loading
 * the subgraphs.
 */
export async function recordSubgraphRequests(urls: Readonly<Record<string, string>>, send: () => Promise<void>): Promise<RecordedRequest[]> {
  const before = await fetchWorkloadRequests(urls);
  await send();
  const after = await fetchWorkloadRequests(urls);
  const out: RecordedRequest[] = [];
  for (const [subgraph, url] of Object.entries(urls)) {
    for (const body of await fetchRecentRequests(url, (after[subgraph] ?? 0) - (before[subgraph] ?? 0))) out.push({ subgraph, url, body });
  }
  return out;
}

export interface ReplayOptions {
  readonly durationSec: number;
  readonly maxRequests: number;
  /** Concurrent replays (as the gateways' client connections). */
  readonly connections: number;
}

/**
 * The "subgraphs direct" ceiling: each of `connections` workers replays the recorded set
 * again and again, all of its requests at once (no gateway, no waiting for one fetch's
 * answer before the next), keep-alive to every subgraph. One replay of the set counts as
 * one request: requests/s is how many client requests' worth of subgraph work the
 * subgraphs can do, and the latency of a replay is a floor (the dependent fetches of a
 * plan would run in sequence). Bounded in time and count.
 */
export async function replayLoad(recorded: readonly RecordedRequest[], options: ReplayOptions): Promise<LoadResult> {
  for (const r of recorded) {
    const host = new URL(r.url).hostname;
    if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`replay runs only against loopback, not ${host}`);
  }
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const latencies: number[] = [];
  let started = 0;
  let non2xx = 0;
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + options.durationSec * 1000;
  const one = async (r: RecordedRequest): Promise<boolean> => {
    const res = await request(r.url, { method: 'POST', body: r.body, headers: { 'content-type': 'application/json' }, dispatcher: agent });
    await res.body.text();
    return res.statusCode >= 200 && res.statusCode < 300;
  };
  const worker = async (): Promise<void> => {
    while (performance.now() < end && started < options.maxRequests) {
      started++;
      const at = performance.now();
      try {
        const ok = await Promise.all(recorded.map(one));
        if (ok.some((x) => !x)) non2xx++;
        latencies.push(performance.now() - at);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  const durationSec = (performance.now() - t0) / 1000;
  await agent.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    requestsPerSec: latencies.length / durationSec,
    p50Ms: pct(50),
    p99Ms: pct(99),
    non2xx,
    errors,
    total: latencies.length,
    sent: started,
    durationSec,
  };
}
