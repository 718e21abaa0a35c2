import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../gateway/telemetry/logger.ts';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface CapturedLog {
  /** A real logger (pino, JSON lines) whose lines are kept here instead of printed. */
  readonly log: Logger;
  readonly lines: LogLine[];
  /** Lines at error level or above (pino: 50 error, 60 fatal). */
  errors(): LogLine[];
}

/** The gateway's own logger, writing into memory, so a test can read what was logged. */
export function captureLog(level: 'info' | 'warn' = 'info'): CapturedLog {
  const lines: LogLine[] = [];
  let pending = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString('utf8');
      let eol = pending.indexOf('\n');
      while (eol >= 0) {
        const line = pending.slice(0, eol);
        pending = pending.slice(eol + 1);
        if (line) lines.push(JSON.parse(line) as LogLine);
        eol = pending.indexOf('\n');
      }
      done();
    },
  });
  return { log: createLogger(level, sink), lines, errors: () => lines.filter((l) => l.level >= 50) };
}
