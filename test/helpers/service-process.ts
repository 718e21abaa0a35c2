import { spawn, type ChildProcess } from 'node:child_process';

/** A process a test started, with what it printed. */
export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Sends `signal` and resolves with the exit code (SIGKILL after `timeoutMs`, then rejects). */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<number | null>;
  /** The exit code once it exits (SIGKILL after `timeoutMs`, then rejects). */
  exit(timeoutMs: number): Promise<number | null>;
  /** SIGKILL if still running (afterAll). */
  kill(): void;
}

export interface StartProcessOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly user?: { uid: number; gid: number } | undefined;
}

/** Spawns `command` (`node …` runs this test's own node binary) with exactly `env`. */
export function startProcess(name: string, command: readonly string[], options: StartProcessOptions): ServiceProcess {
  const [program, ...args] = command;
  if (program !== 'node') throw new Error(`${name}: expected a node command, got ${command.join(' ')}`);
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...options.env }, ...options.user, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const exit = async (timeoutMs: number, since: string): Promise<number | null> => {
    if (!running()) return child.exitCode;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const outcome = await Promise.race([exited, deadline]);
    clearTimeout(timer);
    if (outcome !== 'late') return outcome;
    child.kill('SIGKILL');
    throw new Error(`${name} did not exit within ${timeoutMs} ms of ${since}`);
  };

  return {
    name,
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const m = pattern.exec(out);
          if (m) resolve(m);
          return m !== null;
        };
        if (check()) return;
        const timer = setTimeout(() => done(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`)), timeoutMs);
        const onData = (): void => {
          if (check()) done();
        };
        const onExit = (code: number | null): void => done(new Error(`${name} exited (${code}) before printing ${pattern}; stderr: ${err.slice(-2000)}`));
        const done = (error?: Error): void => {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          child.off('exit', onExit);
          if (error) reject(error);
        };
        child.stdout?.on('data', onData);
        child.once('exit', onExit);
      }),
    stop: (signal, timeoutMs) => {
      if (running()) child.kill(signal);
      return exit(timeoutMs, signal);
    },
    exit: (timeoutMs) => exit(timeoutMs, 'start'),
    kill: () => {
      if (running()) child.kill('SIGKILL');
    },
  };
}
