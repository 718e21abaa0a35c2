import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchAuthorization } from './bff-views.ts';
import { rssMiB, startChild, type Child } from './child.ts';
import { combineRounds, runLoad, type LoadResult } from './load.ts';
import { printTable, type Row } from './table.ts';
import { answerProblem, askTestQuery, dataDifference, type Answer } from './workload/answers.ts';
import { supergraphWithUrls } from './workload/compose.ts';
import { WORKLOAD_BODY } from './workload/query.ts';
import { recordSubgraphRequests, replayLoad, type RecordedRequest } from './workload/replay.ts';
import { fetchWorkloadRequests } from './workload/subgraphs.ts';
import { NAMES, isTarget, startWorkloadTargets, type Skipped, type Target } from './workload-targets.ts';

export interface WorkloadBenchOptions {
  /** Seconds of load per row, over all rounds. */
  readonly durationSec: number;
  readonly connections: number;
  readonly rounds: number;
  readonly maxRequests: number;
  /** Every child process started, for the caller to stop. */
  readonly children: Child[];
}

const DIRECT = 'subgraphs direct';

/**
 * The public graphql-hive/graphql-gateways-benchmark workload (its four subgraphs and its
 * TestQuery) through our gateway, stock Apollo and Hive Gateway, side by side: every row
 * is loaded in interleaved rounds, so a noisy moment of the machine lands on all of them.
 */
export async function runWorkloadBench(o: WorkloadBenchOptions): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const notes: string[] = [];
  const note = (line: string): void => {
    notes.push(line);
    process.stderr.write(`workload: ${line}\n`);
  };
  process.stderr.write(`workload: ${o.durationSec}s per row in ${o.rounds} rounds, ${o.connections} connections, loopback only\n`);

  const subgraphs = await startChild('test/bench/workload/main.ts', {}, /^WORKLOAD /);
  o.children.push(subgraphs);
  const subgraphUrls = JSON.parse(subgraphs.readyLine.slice('WORKLOAD '.length)) as Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'bench-workload-'));
  const runSupergraph = join(dir, 'supergraph.graphql');
  writeFileSync(runSupergraph, supergraphWithUrls(subgraphUrls));

  const started = await startWorkloadTargets({ dir, subgraphUrls, runSupergraph, children: o.children, note }, await benchAuthorization());
  const targets = started.filter(isTarget);
  const skipped = started.filter((t): t is Skipped => !isTarget(t));

  // One TestQuery each, nothing else running: the answers must agree, and the subgraph
  // counters say what one request costs each gateway upstream.
  const counts = (): Promise<Record<string, number>> => fetchWorkloadRequests(subgraphUrls);
  const answers = new Map<string, Answer>();
  const perRequest = new Map<string, Record<string, number>>();
  for (const t of targets) {
    const before = await counts();
    answers.set(t.name, await askTestQuery(t.url, t.headers));
    perRequest.set(t.name, diff(before, await counts()));
  }
  const flagged = checkAnswers(targets, answers, out);

  // The direct ceiling replays what one client request of ours (else stock's) cost upstream.
  const source = [NAMES.ours, NAMES.stock].map((n) => targets.find((t) => t.name === n)).find((t) => t !== undefined && answerProblem(answers.get(t.name) ?? { status: 0, bytes: 0 }) === null);
  let recorded: RecordedRequest[] = [];
  if (source) recorded = await recordSubgraphRequests(subgraphUrls, async () => void (await askTestQuery(source.url, source.headers)));
  const directName = source ? `${DIRECT} (${source.name}'s ${recorded.length} requests)` : DIRECT;
  if (!source) skipped.push({ name: DIRECT, reason: 'neither ours nor stock answered the TestQuery, so there is no set of subgraph requests to replay' });

  const load = (t: Target, durationSec: number, maxRequests: number): Promise<LoadResult> =>
    runLoad({ url: t.url, body: WORKLOAD_BODY, headers: t.headers, durationSec, maxRequests, connections: o.connections });
  const replay = (durationSec: number, maxRequests: number): Promise<LoadResult> => replayLoad(recorded, { durationSec, maxRequests, connections: o.connections });

  for (const t of targets) await load(t, 2, 20_000);
  if (source) await replay(2, 20_000);

  const rounds = new Map<string, LoadResult[]>();
  const upstream = new Map<string, number>();
  const push = (name: string, r: LoadResult, sub: number): void => {
    rounds.set(name, [...(rounds.get(name) ?? []), r]);
    upstream.set(name, (upstream.get(name) ?? 0) + sub);
  };
  for (let round = 0; round < o.rounds; round++) {
    for (const t of targets) {
      const before = await counts();
      const r = await load(t, o.durationSec / o.rounds, o.maxRequests);
      push(t.name, r, total(diff(before, await quiet(counts))));
    }
    if (source) push(directName, await replay(o.durationSec / o.rounds, o.maxRequests), 0);
  }

  const rows: Row[] = targets.map((t) => {
    const r = combineRounds(rounds.get(t.name) ?? []);
    return {
      name: `${t.name}${flagged.has(t.name) ? ' (!)' : ''}`,
      ...r,
      rss: rssMiB(t.child.pid),
      peakRss: rssMiB(t.child.pid, 'VmHWM'),
      // Per request sent: the counters are read once the stopped load's last requests drained.
      subgraphRequests: r.sent > 0 ? (upstream.get(t.name) ?? 0) / r.sent : undefined,
    };
  });
  if (source) rows.push({ name: directName, ...combineRounds(rounds.get(directName) ?? []), subgraphRequests: recorded.length });

  out('\nfederation workload (graphql-hive/graphql-gateways-benchmark subgraphs and TestQuery):');
  printTable(rows);
  for (const s of skipped) out(`  not run: ${s.name}: ${s.reason}`);
  out('\nsubgraph requests for one TestQuery, alone (accounts/inventory/products/reviews):');
  for (const [name, c] of perRequest) out(`  ${name}: ${total(c)} (${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  out('\nnotes:');
  for (const n of notes) out(`  ${n}`);
  out('  Hive Gateway runs as the public benchmark runs it: NODE_ENV=production, inboundInflightRequestDeduplication: true (compare it with "ours dedup on"); the "dedup off" row is Hive\'s own default (inbound off, subgraph requests deduplicated), like "ours".');
  out('  subgraph req/req: subgraph requests counted during the row\'s load (read once its last requests drained) per request sent; the alone counts above have no concurrency, so no dedup.');
  out(`  ${DIRECT}: each of ${o.connections} workers sends the recorded subgraph requests of one TestQuery all at once, again and again; one such set counts as one request (latency is a floor: no waiting between dependent fetches).`);

  const find = (name: string): Row | undefined => rows.find((r) => r.name.startsWith(name));
  const ratio = (a: string, b: string, f: (r: Row) => number | undefined = (r) => r.requestsPerSec): string => {
    const x = find(a);
    const y = find(b);
    const fx = x ? f(x) : undefined;
    const fy = y ? f(y) : undefined;
    return fx !== undefined && fy !== undefined && fy > 0 ? (fx / fy).toFixed(2) : 'n/a';
  };
  out('');
  out(`ratio ours/stock req/s: ${ratio(NAMES.ours, NAMES.stock)}`);
  out(`ratio ours/Hive-Rust req/s, both dedup off: ${ratio(NAMES.ours, NAMES.hiveRustPlain)}; both dedup on: ${ratio(NAMES.dedup, NAMES.hiveRust)}`);
  out(`ratio ours/Hive-jit req/s: ${ratio(NAMES.ours, NAMES.hiveJit)} (ours dedup on/Hive-jit: ${ratio(NAMES.dedup, NAMES.hiveJit)})`);
  out(`ratio p99 ours/stock: ${ratio(NAMES.ours, NAMES.stock, (r) => r.p99Ms)}`);
  out(`ratio peak RSS ours/stock: ${ratio(NAMES.ours, NAMES.stock, (r) => r.peakRss)}; with V8's own heap growth (server.heapGrowthPercent 0): ${ratio(NAMES.v8Heap, NAMES.stock, (r) => r.peakRss)}, at ${ratio(NAMES.v8Heap, NAMES.ours)}x the req/s of ours`);
  out(`ratio auth+Redis rate limit on/off req/s: ${ratio(NAMES.guarded, NAMES.ours)}`);
  out(`ratio dedup on/off req/s: ${ratio(NAMES.dedup, NAMES.ours)}; ours (defaults) / ours with no dedup at all: ${ratio(NAMES.ours, NAMES.noDedup)}`);
  out(`what batching buys, req/s: coalescing ${ratio(NAMES.ours, NAMES.noCoalesce)}×, coalescing and distinct representations ${ratio(NAMES.ours, NAMES.noBatching)}×`);
  out(`ratio ours/${DIRECT} req/s: ${ratio(NAMES.ours, DIRECT)}`);
}

/** Compares every answer with stock's (else the first good one); loud on any mismatch. Returns the names flagged. */
function checkAnswers(targets: readonly Target[], answers: ReadonlyMap<string, Answer>, out: (line: string) => void): Set<string> {
  const flagged = new Set<string>();
  const loud = (line: string): void => {
    out(`!!! ${line}`);
    process.stderr.write(`!!! ${line}\n`);
  };
  for (const t of targets) {
    const problem = answerProblem(answers.get(t.name) ?? { status: 0, bytes: 0 });
    if (problem !== null) {
      flagged.add(t.name);
      loud(`TestQuery ANSWER BROKEN: ${t.name}: ${problem}`);
    }
  }
  const good = targets.filter((t) => !flagged.has(t.name));
  const reference = good.find((t) => t.name === NAMES.stock) ?? good[0];
  if (!reference) return flagged;
  const expected = answers.get(reference.name);
  const lines: string[] = [];
  for (const t of good) {
    if (t === reference) continue;
    const d = dataDifference(expected?.data, answers.get(t.name)?.data);
    if (d !== null) {
      flagged.add(t.name);
      loud(`TestQuery ANSWER MISMATCH: ${t.name} vs ${reference.name}: ${d}`);
    } else lines.push(t.name);
  }
  out(`TestQuery answers checked against ${reference.name}'s (${expected?.bytes ?? 0} bytes): ${lines.length > 0 ? `same data from ${lines.join(', ')}` : 'no other answer to compare'}`);
  return flagged;
}

/** Counters once they stop moving for 300 ms (a stopped load's last requests drain), bounded to 15 s. */
async function quiet(read: () => Promise<Record<string, number>>): Promise<Record<string, number>> {
  let last = await read();
  for (let i = 0; i < 50; i++) {
    await sleep(300);
    const next = await read();
    if (total(next) === total(last)) return next;
    last = next;
  }
  return last;
}

const diff = (a: Record<string, number>, b: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.keys(b).sort().map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));
const total = (c: Record<string, number>): number => Object.values(c).reduce((x, y) => x + y, 0);
