import { differenceBetween, type Answer, type CompareMode } from './compare.ts';
import type { DifferentialRequest } from './harness.ts';

/** What a suite saw, to prove afterwards it was not vacuous (both sides failing alike). */
export interface Tally {
  compared: number;
  /** Stock answered 200 with data and no errors. */
  clean: number;
  /** Stock answered with errors (and maybe partial data). */
  withErrors: number;
}

export function newTally(): Tally {
  return { compared: 0, clean: 0, withErrors: 0 };
}

/**
 * Throws, with everything needed to reproduce it, when our answer differs from stock's:
 * the operation, its variables, the caller, the first difference and both bodies verbatim.
 */
export function assertSameAnswer(
  label: string,
  request: DifferentialRequest,
  answers: { ours: Answer; stock: Answer },
  mode: CompareMode = 'exact',
  tally?: Tally,
): void {
  const difference = differenceBetween(answers.ours, answers.stock, mode);
  if (tally) {
    tally.compared++;
    const body = answers.stock.body as { data?: unknown; errors?: unknown } | null;
    if (answers.stock.status === 200 && body && body.data && !body.errors) tally.clean++;
    if (body && body.errors) tally.withErrors++;
  }
  if (difference === undefined) return;
  throw new Error(
    [
      `${label}: our gateway answers differently from stock @apollo/gateway (${mode} comparison)`,
      `first difference: ${difference}`,
      `operation: ${request.query}`,
      `variables: ${JSON.stringify(request.variables ?? null)}${request.operationName ? `  operationName: ${request.operationName}` : ''}${request.method === 'GET' ? '  (GET)' : ''}`,
      `caller: ${request.caller ? JSON.stringify(request.caller) : 'anonymous'}`,
      `ours  (${answers.ours.status}): ${clip(answers.ours.text)}`,
      `stock (${answers.stock.status}): ${clip(answers.stock.text)}`,
    ].join('\n'),
  );
}

/** Long bodies (the workload's is ~55 KB) cut to a readable length; errors are shown first. */
function clip(text: string, max = 4_000): string {
  if (text.length <= max) return text;
  let errors = '';
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    if (body.errors) errors = ` errors: ${JSON.stringify(body.errors).slice(0, max)}`;
  } catch {
    // not JSON: the text as it is
  }
  return `${text.slice(0, max)}… (${text.length} chars)${errors}`;
}
