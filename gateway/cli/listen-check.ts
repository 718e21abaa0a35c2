import { createServer } from 'node:net';

/** A bind error's code (`EADDRINUSE`, …), if it is one. */
function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Whether a system error came from `listen`/`bind` (an EACCES from a file is not about the port). */
function isListenError(error: unknown): boolean {
  const syscall = error instanceof Error && 'syscall' in error ? error.syscall : undefined;
  return syscall === 'listen' || syscall === 'bind';
}

/** Where a bind error says it failed to listen, when it says. */
function errnoPort(error: unknown): number | undefined {
  return error instanceof Error && 'port' in error && typeof error.port === 'number' ? error.port : undefined;
}

/**
 * Why the gateway cannot listen on `host:port`, in one line that says what to do; undefined
 * for an error that is not about the address. `command` is how the user started it, for
 * the example (`npm start`, `npm run start:gateway`).
 */
export function listenProblem(error: unknown, host: string, port: number, command: string): string | undefined {
  const another = port === 4100 ? 4200 : 4100;
  if (!isListenError(error)) return undefined;
  switch (errnoCode(error)) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use: stop what listens there, or choose another port with PORT (e.g. PORT=${another} ${command}; PORT=0 picks a free one)`;
    case 'EACCES':
      return `cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges); choose another port with PORT (e.g. PORT=${another} ${command})`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${host}:${port}: ${host} is not an address of this machine; choose another with HOST (e.g. HOST=127.0.0.1 ${command})`;
    default:
      return undefined;
  }
}

/**
 * The demo's upstreams listen on fixed ports (4001–4011) unless DEMO_PORTS=free: one of
 * them taken is most often a demo already running.
 */
export function upstreamListenProblem(error: unknown): string | undefined {
  if (!isListenError(error) || errnoCode(error) !== 'EADDRINUSE') return undefined;
  const port = errnoPort(error);
  return `port ${port ?? '(unknown)'} of a demo upstream is already in use (is another demo running?): stop it, or put the upstreams on free ports with DEMO_PORTS=free`;
}

/**
 * Resolves once `host:port` could be bound just now (bound and released at once), so a
 * launcher can refuse a taken port before it starts anything else; rejects with the bind
 * error otherwise. Port 0 always binds. Another process may still take the port before
 * the gateway listens: `listen` errors go through `listenProblem` too.
 */
export function probeListen(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
