import { ConfigError } from '../config/index.ts';

/** A start-up failure already described in a line an operator can act on: printed as is, no stack. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/**
 * The last words of a launcher that could not start: a ConfigError or StartupError as its
 * message (the reader needs the key or the port, not our stack), anything else with its
 * stack (a bug). Exit code 1 either way.
 */
export function exitOnStartupFailure(error: unknown): never {
  const known = error instanceof ConfigError || error instanceof StartupError;
  const text = known ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${text}\n`);
  process.exit(1);
}
