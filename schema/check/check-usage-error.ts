/**
 * The check could not run: bad arguments, an unreadable file, an unknown git ref, a base
 * that does not build. The CLI prints the message and exits with code 4; anything else
 * thrown is a bug and keeps its stack.
 */
export class CheckUsageError extends Error {
  readonly code = 'SCHEMA_CHECK_USAGE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckUsageError';
  }
}

export function isCheckUsageError(error: unknown): error is CheckUsageError {
  return error instanceof CheckUsageError;
}
