import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, sep } from 'node:path';
import { ROOT, type Dockerfile } from './compose-file.ts';

/**
 * What the image holds, without an engine: a copy of exactly what the Dockerfile COPYs
 * (as its .dockerignore filters it: no node_modules), made read-only, with the repository's
 * node_modules linked in (the image's are root's and read-only to the app's user too), and
 * the numeric unprivileged user a container would run it as.
 */
export interface ReadOnlyApp {
  /** The app directory (the image's WORKDIR). */
  readonly dir: string;
  /** A writable, initially empty temp dir for TMPDIR: what is in it afterwards was written at run time. */
  readonly tmp: string;
  /** Root-owned, read-only files the test writes for the processes (beside, not inside, the app). */
  readonly root: string;
  /** uid/gid for spawn(): nobody (65534) when the tests run as root, else unset (the test user is unprivileged already). */
  readonly user: { uid: number; gid: number } | undefined;
  remove(): void;
}

/** nobody/nogroup by number, as a container's `USER 65534:65534` names it (no passwd entry needed). */
const UNPRIVILEGED = { uid: 65534, gid: 65534 };

export function readOnlyAppCopy(dockerfile: Dockerfile): ReadOnlyApp {
  const root = mkdtempSync(join(tmpdir(), 'bffgw-ro-app-'));
  const dir = join(root, 'app');
  mkdirSync(dir);
  for (const { sources, dest } of dockerfile.copies) {
    for (const source of sources) {
      const target = sources.length > 1 || dest.endsWith('/') ? join(dir, dest, basename(source)) : join(dir, dest);
      cpSync(join(ROOT, source), target, { recursive: true, filter: (path) => !path.split(sep).includes('node_modules') && !path.endsWith('.log') });
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const tmp = join(root, 'tmp');
  mkdirSync(tmp);
  chmodSync(tmp, 0o1777);
  readOnly(dir);
  chmodSync(root, 0o755);

  const user = process.getuid?.() === 0 ? UNPRIVILEGED : undefined;
  const app: ReadOnlyApp = {
    dir,
    tmp,
    root,
    user,
    remove: () => {
      writable(root);
      rmSync(root, { recursive: true, force: true });
    },
  };
  const probe = spawnSync(process.execPath, ['-e', 'require.resolve("tsx"); require.resolve("jose")'], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, ...user, encoding: 'utf8' });
  if (probe.status !== 0) {
    app.remove();
    throw new Error(
      `uid ${user?.uid ?? process.getuid?.()} cannot read the repository's node_modules through ${dir}/node_modules ` +
        `(is a parent directory of ${ROOT} not world-searchable?): ${probe.stderr.slice(0, 500)}`,
    );
  }
  return app;
}

/** chmod -R a-w (directories stay searchable); symlinks are not followed. */
function readOnly(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) readOnly(join(path, entry));
    chmodSync(path, 0o555);
  } else {
    chmodSync(path, stat.mode & 0o555);
  }
}

/** Undoes readOnly() on directories, so a non-root owner can delete the copy. */
function writable(path: string): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) return;
  chmodSync(path, 0o755);
  for (const entry of readdirSync(path)) writable(join(path, entry));
}
