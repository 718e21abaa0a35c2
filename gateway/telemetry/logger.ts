import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import { activeSpan } from './spans.ts';

export type Logger = PinoLogger;

/** Credentials wherever a careless `log.info({ headers })` or `{ req }` would put them. */
const SECRET_HEADERS = ['authorization', 'cookie', '["set-cookie"]', '["x-api-key"]', '["proxy-authorization"]'];

/**
 * Structured JSON logs. Secrets never reach a log line: auth headers, cookies and API
 * keys are redacted at the logger, so a careless `log.info({ headers })` is still safe.
 * A line written while a span is active carries its trace and span ids, so logs and
 * traces join up; with tracing off that costs one boolean check.
 */
export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'bff-gateway' },
      redact: {
        paths: SECRET_HEADERS.flatMap((h) => [`${dot(h)}`, `*${dot(h)}`, `headers${dot(h)}`, `*.headers${dot(h)}`]).map((p) => p.replace(/^\./, '')),
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceFields,
    },
    destination ?? process.stdout,
  );
}

function dot(segment: string): string {
  return segment.startsWith('[') ? segment : `.${segment}`;
}

function traceFields(): Record<string, string> {
  const span = activeSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}
