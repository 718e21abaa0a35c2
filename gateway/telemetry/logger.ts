import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;

/**
 * Structured JSON logs. Secrets never reach a log line: auth headers, cookies and API
 * keys are redacted at the logger, so a careless `log.info({ headers })` is still safe.
 */
export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'bff-gateway' },
      redact: {
        paths: ['*.authorization', '*.cookie', '*["x-api-key"]', 'headers.authorization', 'headers.cookie', 'headers["x-api-key"]'],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? process.stdout,
  );
}
