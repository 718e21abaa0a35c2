import { execFile } from 'node:child_process';

/** Reads a repository through the `git` CLI: what CI runners and developers both have. */
export class Git {
  constructor(readonly cwd: string) {}

  /** The commit `ref` names, or undefined when it names none (or cwd is not a repository). */
  async resolveCommit(ref: string): Promise<string | undefined> {
    const result = await this.#run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return result.ok ? result.stdout.trim() : undefined;
  }

  /** A file's content at `commit`, or undefined when the file does not exist there. */
  async show(commit: string, path: string): Promise<string | undefined> {
    // `./` makes the path relative to cwd rather than to the repository's top level.
    const result = await this.#run(['show', `${commit}:./${path}`]);
    return result.ok ? result.stdout : undefined;
  }

  #run(args: string[]): Promise<{ ok: boolean; stdout: string }> {
    return new Promise((resolve) => {
      execFile('git', args, { cwd: this.cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout) => {
        resolve({ ok: !error, stdout });
      });
    });
  }
}
