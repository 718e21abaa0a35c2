import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/net.ts';

/**
 * NODE_ENV=production with the public dev signing key: the gateway and a demo service each
 * refuse to start, saying what to set; with their own keys they start. Real processes, as
 * a container runs them.
 */
const KEYS = 'prod-k1:production-test-secret-0123456789abcdef';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `entry` until it exits, or until `ready` (polled, with what it printed so far) says
 * it is up, then stops it. Bounded: a process that does neither within 30 s is killed.
 */
function run(entry: string, env: Record<string, string>, ready?: (stdout: string) => Promise<boolean>): Promise<Run & { readyOk: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      // Nothing from the developer's shell but what Node needs to run.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', APOLLO_TELEMETRY_DISABLED: 'true', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let readyOk = false;
    let exited = false;
    const limit = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      exited = true;
      clearTimeout(limit);
      resolve({ code, stdout, stderr, readyOk });
    });
    if (!ready) return;
    const poll = async (): Promise<void> => {
      while (!exited) {
        if (await ready(stdout)) {
          readyOk = true;
          child.kill('SIGTERM');
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    poll().catch(reject);
  });
}

/** True once `url` answers 200. */
async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

describe('the dev signing key in production', () => {
  it('the gateway refuses to start with it, naming the key and what to set', async () => {
    const r = await run('gateway/cli/start.ts', { NODE_ENV: 'production', PORT: String(await freePort()), AUTH_DEV_KEYS: 'false' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Invalid gateway configuration');
    expect(r.stderr).toContain('identitySigning.keys: "dev" is the public dev key, refused when NODE_ENV=production');
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  }, 40_000);

  it('the gateway starts with keys of its own', async () => {
    const port = await freePort();
    const r = await run('gateway/cli/start.ts', { NODE_ENV: 'production', PORT: String(port), AUTH_DEV_KEYS: 'false', IDENTITY_SIGNING_KEYS: KEYS }, () => answers(`http://127.0.0.1:${port}/readyz`));
    expect(r.stderr).toBe('');
    expect(r.readyOk).toBe(true);
  }, 40_000);

  it('a demo subgraph refuses it too, and starts with keys of its own', async () => {
    const refused = await run('subgraphs/users/main.ts', { NODE_ENV: 'production', PORT: '0' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('IDENTITY_SIGNING_KEYS: key "dev" is the public dev key, refused when NODE_ENV=production');

    const started = await run('subgraphs/users/main.ts', { NODE_ENV: 'production', PORT: '0', IDENTITY_SIGNING_KEYS: KEYS }, async (out) => out.includes('users (subgraph) listening on'));
    expect(started.readyOk).toBe(true);
    expect(started.code).toBe(0);
  }, 40_000);
});
