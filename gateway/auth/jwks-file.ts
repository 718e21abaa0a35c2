import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createLocalJWKSet, errors } from 'jose';
import type { KeyResolver } from './key-source.ts';

export interface FileKeySourceOptions {
  file: string;
  /** Minimum time between re-checks of the file caused by an unknown `kid`. */
  cooldownMs: number;
  /** The file is re-checked before use when the last check is older than this. */
  cacheMaxAgeMs: number;
}

type LocalSet = ReturnType<typeof createLocalJWKSet>;

/**
 * A JWKS in a local file, so keys can rotate without a restart: the file is re-checked
 * (a `stat`, and a re-read only when its mtime/size/inode changed) on an unknown `kid` —
 * at most once per `cooldownMs` — and whenever the last check is older than
 * `cacheMaxAgeMs`, so a removed key stops verifying too. A file that is mid-write or
 * broken on a re-check leaves the previous keys in place.
 *
 * The first read is synchronous and throws: a missing or malformed file stops start-up.
 */
export function fileKeySource(options: FileKeySourceOptions): KeyResolver {
  const { file, cooldownMs, cacheMaxAgeMs } = options;
  // Stat before reading: if the file changes in between, the next check merely re-reads it.
  let version = versionOf(statSync(file));
  let keys: LocalSet = parse(readFileSync(file, 'utf8'), file);
  let checkedAt = Date.now();
  let pending: Promise<void> | undefined;

  const recheck = (): Promise<void> => {
    pending ??= (async () => {
      try {
        const current = versionOf(await stat(file));
        if (current !== version) {
          keys = parse(await readFile(file, 'utf8'), file);
          version = current;
        }
      } catch {
        // Keep serving the keys we have; the next check may find the file whole again.
      } finally {
        checkedAt = Date.now();
        pending = undefined;
      }
    })();
    return pending;
  };

  return async (header, token) => {
    if (Date.now() - checkedAt >= cacheMaxAgeMs) await recheck();
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || Date.now() - checkedAt < cooldownMs) throw error;
      await recheck();
      return keys(header, token);
    }
  };
}

function versionOf(s: Stats): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}

function parse(text: string, file: string): LocalSet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new Error(`${file} is not JSON`, { cause });
  }
  try {
    return createLocalJWKSet(json as Parameters<typeof createLocalJWKSet>[0]);
  } catch (cause) {
    throw new Error(`${file} is not a JSON Web Key Set (expected {"keys": [...]})`, { cause });
  }
}
