import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Runs a TypeScript entry point in its own node process (one process, so its RSS is the
 * thing measured) and resolves once a line of its stdout matches `ready` (at once when null).
 */
export function startChild(entry: string, env: NodeJS.ProcessEnv, ready: RegExp | null, timeoutMs = 30_000): Promise<Child & { readyLine: string }> {
  return startProcess(process.execPath, ['--import', 'tsx', entry], env, ready, { timeoutMs });
}

/**
 * Any command as a child process (e.g. node on an installed package's bin, no tsx), ready
 * as `startChild` is. Its stderr is kept for the error when it exits before it is ready.
 */
export function startProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp | null,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<Child & { readyLine: string }> {
  const entry = [command, ...args].join(' ');
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not become ready within ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    const stop = (): Promise<void> =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      });
    // The tail only: a child that logs for the whole bench must not grow this without bound.
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-65_536)));
    if (ready === null && child.pid !== undefined) {
      clearTimeout(timer);
      child.stdout.resume();
      resolve({ process: child, pid: child.pid, stop, readyLine: '' });
      return;
    }
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => ready?.test(l));
      if (line !== undefined && child.pid !== undefined) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ process: child, pid: child.pid, stop, readyLine: line });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready\n${out}\n${err}`));
    });
  });
}

/** Resident set size (VmRSS, or the peak VmHWM) of a process in MiB (Linux /proc). */
export function rssMiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
