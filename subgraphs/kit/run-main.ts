import type { RunningService, StartOptions } from './running-service.ts';

/**
 * Entry of each service's main.ts: HOST and PORT from env (else 127.0.0.1 and the
 * service's default port), a line saying where it listens, a graceful stop on SIGINT/SIGTERM.
 */
export function runMain(start: (options: StartOptions) => Promise<RunningService | readonly RunningService[]>): void {
  const port = process.env.PORT === undefined || process.env.PORT === '' ? undefined : Number(process.env.PORT);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
    process.stderr.write(`PORT must be an integer from 0 to 65535, got "${process.env.PORT}"\n`);
    process.exit(1);
  }
  start({ host: process.env.HOST || '127.0.0.1', ...(port !== undefined ? { port } : {}) }).then(
    (started) => {
      const services = Array.isArray(started) ? (started as readonly RunningService[]) : [started as RunningService];
      for (const s of services) process.stdout.write(`${s.name} (${s.kind}) listening on ${s.url}\n`);
      let stopping = false;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        Promise.all(services.map((s) => s.close())).then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: unknown) => {
      process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
      process.exit(1);
    },
  );
}
