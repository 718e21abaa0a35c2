/**
 * How two GraphQL answers are compared: the first difference, as a path into the
 * response, or `undefined` when they are the same answer.
 */

/** One HTTP answer of a gateway: status and the parsed body (and the text it came from). */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/**
 * `exact`: the same status, the same `data` (key order included) and the same errors, every
 * member of each (message, path, locations, all extensions).
 *
 * `transport`: one subgraph could not be reached. Our gateway answers those with its own
 * errors by design (`UPSTREAM_UNAVAILABLE`, `CIRCUIT_OPEN`, … with `serviceName`), where
 * stock says `request to http://… failed, reason: connect ECONNREFUSED …` with
 * INTERNAL_SERVER_ERROR. So: the same status and `data` (exactly), the same error paths;
 * every error both have in common must be identical, and each of ours that stock words
 * differently must carry one of `TRANSPORT_CODES`.
 */
export type CompareMode = 'exact' | 'transport';

/** Stable codes our gateway gives a fetch that never got a GraphQL answer (gateway/errors/codes.ts). */
export const TRANSPORT_CODES: ReadonlySet<string> = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE', 'CIRCUIT_OPEN', 'UPSTREAM_OVERLOADED']);

export function differenceBetween(ours: Answer, stock: Answer, mode: CompareMode = 'exact'): string | undefined {
  if (ours.status !== stock.status) return `HTTP status: ours ${ours.status}, stock ${stock.status}`;
  if (!isRecord(ours.body) || !isRecord(stock.body)) return firstDifference(ours.body, stock.body, '$');
  const keys = (r: Record<string, unknown>): string => Object.keys(r).sort().join(',');
  // Top-level members are compared as a set: `{"errors":…,"data":…}` and `{"data":…,"errors":…}`
  // are the same answer to every JSON reader (GraphQL over HTTP orders nothing there).
  if (keys(ours.body) !== keys(stock.body)) return `top-level members: ours {${keys(ours.body)}}, stock {${keys(stock.body)}}`;
  const data = firstDifference(ours.body.data, stock.body.data, '$.data');
  if (data) return data;
  const extensions = firstDifference(ours.body.extensions, stock.body.extensions, '$.extensions');
  if (extensions) return extensions;
  return mode === 'exact' ? sameErrors(ours.body.errors, stock.body.errors) : sameErrorsButTransport(ours.body.errors, stock.body.errors);
}

/**
 * The errors as multisets. Order is the one thing normalised: @apollo/gateway appends a
 * fetch's errors when that fetch answers, so two failing fetches of one Parallel node land
 * in whichever order the network delivered them (stock against stock differs run to run).
 * Every member of every error is still compared.
 */
function sameErrors(ours: unknown, stock: unknown): string | undefined {
  if (ours === undefined || stock === undefined || !Array.isArray(ours) || !Array.isArray(stock)) return firstDifference(ours, stock, '$.errors');
  return firstDifference(sortedErrors(ours), sortedErrors(stock.map(asOursMasksIt)), '$.errors(sorted)');
}

/** What our gateway says instead of an internal error's own message (gateway/graphql/format-error.ts). */
export const MASKED_MESSAGE = 'Internal server error';

/**
 * The one documented difference in wording, not normalised away but stated: an error that
 * arose inside the gateway (no code, or INTERNAL_SERVER_ERROR without a `serviceName`: the
 * query planner or executor threw) reaches clients of ours as exactly "Internal server
 * error", code INTERNAL_SERVER_ERROR, by design (README "Errors": the message is generic,
 * the details are in the log; DESIGN: no internals leak to clients), where stock passes on
 * the thrown message (e.g. "Was not able to find any options for id: This shouldn't have
 * happened."). So stock's such error is compared as ours must render it: the same path,
 * locations and other extensions, that message and that code. Errors a subgraph returned
 * carry `serviceName` and are compared as they are.
 */
export function asOursMasksIt(error: unknown): unknown {
  if (!isRecord(error)) return error;
  const extensions = isRecord(error.extensions) ? error.extensions : {};
  const internal = extensions.code === undefined || (extensions.code === 'INTERNAL_SERVER_ERROR' && extensions.serviceName === undefined);
  if (!internal) return error;
  return { ...error, message: MASKED_MESSAGE, extensions: { ...extensions, code: 'INTERNAL_SERVER_ERROR' } };
}

function sameErrorsButTransport(ours: unknown, stock: unknown): string | undefined {
  const mine = Array.isArray(ours) ? ours : [];
  const theirs = Array.isArray(stock) ? stock : [];
  if ((ours === undefined) !== (stock === undefined)) return `$.errors: ours ${describe(ours)}, stock ${describe(stock)}`;
  const pathsOf = (errors: readonly unknown[]): string[] => errors.map((e) => JSON.stringify(isRecord(e) ? (e.path ?? null) : null)).sort();
  const paths = firstDifference(pathsOf(mine), pathsOf(theirs), '$.errors[*].path(sorted)');
  if (paths) return paths;
  // Pair identical errors off; what is left on our side must be a transport error.
  const unmatched = theirs.map((e) => canonical(e));
  for (const error of mine) {
    const i = unmatched.indexOf(canonical(error));
    if (i >= 0) {
      unmatched.splice(i, 1);
      continue;
    }
    const code = isRecord(error) && isRecord(error.extensions) ? error.extensions.code : undefined;
    if (typeof code !== 'string' || !TRANSPORT_CODES.has(code)) {
      return `$.errors: ours has ${JSON.stringify(error)}, which stock does not have and which is not a transport error (code ${String(code)})`;
    }
  }
  return undefined;
}

function sortedErrors(errors: readonly unknown[]): unknown[] {
  return [...errors].sort((a, b) => (canonical(a) < canonical(b) ? -1 : canonical(a) > canonical(b) ? 1 : 0));
}

/** JSON with keys sorted: a sort key that does not depend on member order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/**
 * The first place two JSON values differ, depth first: a missing or extra member, members
 * in another order, another length, another value. `undefined` when they are equal.
 */
export function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return a.length === b.length ? undefined : `${path}: ours has ${a.length} items, stock ${b.length}`;
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    const missing = kb.filter((k) => !(k in a));
    const extra = ka.filter((k) => !(k in b));
    if (missing.length > 0 || extra.length > 0) {
      return `${path}: ${missing.length > 0 ? `ours lacks ${missing.join(', ')}` : ''}${missing.length > 0 && extra.length > 0 ? '; ' : ''}${extra.length > 0 ? `ours adds ${extra.join(', ')}` : ''}`;
    }
    if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: key order differs: ours [${ka.join(', ')}], stock [${kb.join(', ')}]`;
    for (const k of ka) {
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  if (Object.is(a, b)) return undefined;
  return `${path}: ours ${describe(a)}, stock ${describe(b)}`;
}

function describe(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
