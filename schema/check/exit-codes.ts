import type { CheckOutcome } from './result.ts';

/**
 * The CLI's exit codes, documented in README.md. Codes grow with how early the check had
 * to stop: a drifted supergraph is still checked for breaking changes, a composition
 * failure leaves nothing to check.
 */
export const exitCodes = {
  passed: 0,
  'operations-failed': 1,
  drift: 2,
  'composition-failed': 3,
  /** Bad arguments, unreadable files, an unknown git ref: the check could not run. */
  usage: 4,
} as const satisfies Record<CheckOutcome | 'usage', number>;

export function exitCodeFor(outcome: CheckOutcome): number {
  return exitCodes[outcome];
}
