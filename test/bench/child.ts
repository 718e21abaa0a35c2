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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
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
