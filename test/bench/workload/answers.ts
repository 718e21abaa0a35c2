import { WORKLOAD_BODY } from './query.ts';

export interface Answer {
  readonly status: number;
  readonly bytes: number;
  readonly data?: unknown;
  readonly errors?: unknown;
  /** The body when it is not a GraphQL response. */
  readonly text?: string;
}

/** One TestQuery, as the bench's clients send it. */
export async function askTestQuery(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: WORKLOAD_BODY, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
    return { status: res.status, bytes: Buffer.byteLength(text), data: body.data, errors: body.errors };
  } catch {
    return { status: res.status, bytes: Buffer.byteLength(text), text: text.slice(0, 300) };
  }
}

/** What is wrong with an answer on its own (not 200, errors, no data), or null. */
export function answerProblem(a: Answer): string | null {
  if (a.status !== 200) return `HTTP ${a.status}: ${JSON.stringify(a.errors ?? a.text ?? null).slice(0, 300)}`;
  if (a.errors !== undefined) return `errors: ${JSON.stringify(a.errors).slice(0, 300)}`;
  if (a.data === undefined || a.data === null) return 'no data';
  return null;
}

/**
 * How `actual` differs from `expected`: null when the JSON of the data is identical;
 * otherwise the first differing path, and whether only the order of keys differs.
 */
export function dataDifference(expected: unknown, actual: unknown): string | null {
  if (JSON.stringify(expected) === JSON.stringify(actual)) return null;
  const path = firstDifference(expected, actual, '');
  if (path === null) return 'same values, different key order (GraphQL orders fields as the query does)';
  return path;
}

function firstDifference(a: unknown, b: unknown, at: string): string | null {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${at || '.'}: ${brief(a)} vs ${brief(b)}`;
    if (a.length !== b.length) return `${at}: ${a.length} items vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (!(k in a) || !(k in b)) return `${at}.${k}: ${k in a ? 'missing in the answer' : 'not expected'}`;
      const d = firstDifference(a[k], b[k], `${at}.${k}`);
      if (d !== null) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${at || '.'}: expected ${brief(a)}, got ${brief(b)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const brief = (v: unknown): string => JSON.stringify(v)?.slice(0, 80) ?? String(v);
