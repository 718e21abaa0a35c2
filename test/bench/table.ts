import type { LoadResult } from './load.ts';

export interface Row extends LoadResult {
  name: string;
  rss?: number;
  peakRss?: number;
  /** Subgraph requests per completed client request (workload rows). */
  subgraphRequests?: number;
}

/** A markdown table of rows; the subgraph column only when some row has it. */
export function printTable(rows: readonly Row[]): void {
  const withSubgraphs = rows.some((r) => r.subgraphRequests !== undefined);
  const header = ['target', 'req/s', 'p50 ms', 'p99 ms', 'RSS MiB', 'peak RSS MiB', 'non-2xx', 'errors', 'requests', ...(withSubgraphs ? ['subgraph req/req'] : [])];
  const opt = (n: number | undefined, digits: number): string => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));
  const lines = rows.map((r) => [
    r.name,
    r.requestsPerSec.toFixed(0),
    r.p50Ms.toFixed(1),
    r.p99Ms.toFixed(1),
    opt(r.rss, 0),
    opt(r.peakRss, 0),
    String(r.non2xx),
    String(r.errors),
    String(r.total),
    ...(withSubgraphs ? [opt(r.subgraphRequests, 2)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  process.stdout.write(`${[fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n')}\n`);
}
