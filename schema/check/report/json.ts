import { exitCodeFor } from '../exit-codes.ts';
import type { CheckResult } from '../result.ts';

/**
 * The machine report: the CheckResult as is, plus the exit code and a format version, so
 * a consumer can tell a future shape change from a bug.
 */
export function renderJson(result: CheckResult): string {
  const { durationMs, ...rest } = result;
  return `${JSON.stringify({ version: 1, exitCode: exitCodeFor(result.outcome), ...rest, durationMs: Math.round(durationMs) }, null, 2)}\n`;
}
