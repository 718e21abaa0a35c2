import { rssMiB, type Child } from './child.ts';
import { measureCpu } from './cpu.ts';
import { checkView, fetchView, type BffView } from './bff-views.ts';
import { combineRounds, type LoadOptions, type LoadResult } from './load.ts';
import type { Row } from './table.ts';

/**
 * Our web BFF door against the hand-written node:http BFF (handwritten-bff.ts) in front of
 * the same gateway: same view, token, connections and time, loaded in interleaved rounds
 * (ours, hand-written; again; …) so a noisy moment lands on both. Around every round the
 * CPU (utime + stime, /proc/<pid>/stat) of the gateway, the hand-written process and the
 * upstream services is read, so each row also says what one dashboard costs each process.
 */
export interface CompareOptions {
  readonly ourUrl: string;
  readonly handwrittenUrl: string;
  readonly view: BffView;
  readonly authorization: string;
  readonly processes: { readonly gateway: Child; readonly handwritten: Child; readonly services: Child };
  readonly rounds: number;
  readonly durationSec: number;
  readonly load: (url: string, extra: Partial<LoadOptions>) => Promise<LoadResult>;
  readonly warm: (url: string, extra: Partial<LoadOptions>) => Promise<LoadResult>;
}

export const OURS_ROW = 'BFF web dashboard';
export const HANDWRITTEN_ROW = 'hand-written BFF web dashboard';

type Cpu = { gateway: number; handwritten: number; services: number };

/** The settle after a round before CPU is read: the requests still in flight when the load stopped finish in it. */
const SETTLE_MS = 300;

export async function compareHandwritten(o: CompareOptions): Promise<{ rows: Row[]; report: string }> {
  const same = await sameAnswer(o);
  const viewLoad = { body: JSON.stringify({ query: o.view.query }), headers: { authorization: o.authorization } };
  const targets = [
    { name: OURS_ROW, url: `${o.ourUrl}${o.view.path}`, rss: o.processes.gateway.pid },
    { name: same ? HANDWRITTEN_ROW : `${HANDWRITTEN_ROW} (MISMATCH)`, url: `${o.handwrittenUrl}/`, rss: o.processes.handwritten.pid },
  ];
  for (const t of targets) await o.warm(t.url, viewLoad);
  const pids = { gateway: o.processes.gateway.pid, handwritten: o.processes.handwritten.pid, services: o.processes.services.pid };
  const rounds = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  const cpu = new Map<string, Cpu>(targets.map((t) => [t.name, { gateway: 0, handwritten: 0, services: 0 }]));
  for (let round = 0; round < o.rounds; round++) {
    for (const t of targets) {
      const measured = await measureCpu(pids, async () => {
        const r = await o.load(t.url, { ...viewLoad, durationSec: o.durationSec / o.rounds });
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        return r;
      });
      rounds.get(t.name)?.push(measured.result);
      const sum = cpu.get(t.name);
      if (sum) for (const k of ['gateway', 'handwritten', 'services'] as const) sum[k] += measured.cpu[k] ?? 0;
    }
  }
  const rows: Row[] = targets.map((t) => ({ name: t.name, ...combineRounds(rounds.get(t.name) ?? []), rss: rssMiB(t.rss), peakRss: rssMiB(t.rss, 'VmHWM') }));

  const [ours, hand] = rows;
  const lines: string[] = [];
  lines.push(`ratio our BFF door / hand-written BFF req/s (web dashboard, ${o.rounds} interleaved rounds): ${ours && hand ? (ours.requestsPerSec / hand.requestsPerSec).toFixed(2) : 'n/a'}`);
  lines.push(`  (the hand-written row's RSS is the hand-written process's own; the gateway it calls is the same process as the "${OURS_ROW}" row's)`);
  lines.push('CPU ms per web dashboard (/proc utime+stime over the loaded rounds ÷ completed requests):');
  const header = ['row', 'gateway', 'hand-written process', 'gateway + hand-written', 'services (upstreams)'];
  const table = rows.map((r) => {
    const c = cpu.get(r.name) ?? { gateway: 0, handwritten: 0, services: 0 };
    const per = (s: number): string => (r.total > 0 ? ((s * 1000) / r.total).toFixed(2) : 'n/a');
    return [r.name, per(c.gateway), per(c.handwritten), per(c.gateway + c.handwritten), per(c.services)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string => `  | ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  lines.push(fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...table.map(fmt));
  const g = (name: string): number => {
    const r = rows.find((x) => x.name === name);
    const c = cpu.get(name);
    return r && c && r.total > 0 ? c.gateway / r.total : NaN;
  };
  const oursName = targets[0]?.name ?? OURS_ROW;
  const handName = targets[1]?.name ?? HANDWRITTEN_ROW;
  lines.push(`ratio gateway CPU per dashboard, our BFF door / hand-written BFF's calls: ${(g(oursName) / g(handName)).toFixed(2)}`);
  if (!same) lines.push('!!! the hand-written BFF did NOT answer the same data as our BFF door: its row is not a like-for-like comparison');
  return { rows, report: lines.join('\n') };
}

/** Once, before loading: the hand-written BFF must answer our door's `data`, byte for byte (key order included). */
async function sameAnswer(o: CompareOptions): Promise<boolean> {
  const ours = JSON.stringify(await checkView(o.ourUrl, o.view, o.authorization));
  const hand = await fetchView(`${o.handwrittenUrl}/`, o.view, o.authorization);
  const theirs = JSON.stringify(hand.body.data ?? null);
  if (hand.status === 200 && !hand.body.errors && ours === theirs) {
    process.stderr.write(`bench: hand-written BFF answers the same data as ${o.view.path} (${ours.length} bytes of JSON)\n`);
    return true;
  }
  let at = 0;
  while (at < ours.length && ours[at] === theirs[at]) at++;
  const excerpt = (s: string): string => s.slice(Math.max(0, at - 80), at + 120);
  const message = [
    '',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    `!!! MISMATCH: the hand-written BFF's answer differs from ${o.view.path}'s`,
    `!!! status ${hand.status}, errors ${JSON.stringify(hand.body.errors ?? null).slice(0, 300)}`,
    `!!! first difference at character ${at} of the data JSON:`,
    `!!!   ours: …${excerpt(ours)}…`,
    `!!!   hand: …${excerpt(theirs)}…`,
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '',
  ].join('\n');
  process.stdout.write(`${message}\n`);
  process.stderr.write(`${message}\n`);
  return false;
}
