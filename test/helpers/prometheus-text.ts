/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests:
 * every line must be a comment, a `# HELP`/`# TYPE` line or a sample of a declared family;
 * anything else throws, so "parses as Prometheus text" means something.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly help: string | undefined;
  readonly samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const SUFFIXES: Readonly<Record<Family['type'], readonly string[]>> = {
  counter: ['_total', ''],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
  untyped: [''],
};

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME}) ?(.*)$`).exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (kind === 'HELP') help.set(name, rest);
      else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad TYPE, ${where}`);
        if (families.has(name)) throw new Error(`TYPE declared twice, ${where}`);
        families.set(name, { name, type: rest as Family['type'], help: help.get(name), samples: [] });
      }
      return;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample, ${where}`);
    const [, name, rawLabels, rawValue] = m as unknown as [string, string, string | undefined, string];
    // Values are Go floats: special values in any case (prom-client writes `Nan`).
    const special = rawValue.toLowerCase();
    const value = special === '+inf' || special === 'inf' ? Infinity : special === '-inf' ? -Infinity : special === 'nan' ? NaN : Number(rawValue);
    if (Number.isNaN(value) && special !== 'nan') throw new Error(`bad value, ${where}`);
    const family = familyOf(name, families);
    if (!family) throw new Error(`sample of an undeclared family, ${where}`);
    family.samples.push({ name, labels: parseLabels(rawLabels ?? '', where), value });
  });
  return families;
}

function familyOf(sample: string, families: ReadonlyMap<string, Family>): Family | undefined {
  for (const f of families.values()) {
    if (SUFFIXES[f.type].some((suffix) => sample === `${f.name}${suffix}`)) return f;
  }
  return undefined;
}

function parseLabels(raw: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < raw.length) {
    const start = LABEL.lastIndex;
    const m = LABEL.exec(raw);
    if (!m || m.index !== start) throw new Error(`bad labels, ${where}`);
    const [, key, value] = m as unknown as [string, string, string];
    if (key in labels) throw new Error(`label ${key} twice, ${where}`);
    labels[key] = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    if (m[3] === '') break;
  }
  return labels;
}

/** The value of the one sample `name` whose labels include `labels` (0 when there is none). */
export function sampleValue(families: ReadonlyMap<string, Family>, name: string, labels: Readonly<Record<string, string>> = {}): number {
  const matches = [...families.values()]
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${matches.length} samples`);
  return matches[0]?.value ?? 0;
}

/** Sum over every sample `name` whose labels include `labels`. */
export function sampleSum(families: ReadonlyMap<string, Family>, name: string, labels: Readonly<Record<string, string>> = {}): number {
  return [...families.values()]
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

export async function scrape(baseUrl: string): Promise<Map<string, Family>> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  if (!String(res.headers.get('content-type')).startsWith('text/plain; version=0.0.4')) throw new Error(`/metrics content-type ${res.headers.get('content-type')}`);
  return parsePrometheusText(await res.text());
}
