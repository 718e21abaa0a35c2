import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.ts';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

/** Runs an npm script's command as npm would (without npm's own start-up), so signals reach node itself. */
function scriptArgs(name: string): string[] {
  const [cmd, ...args] = (pkg.scripts[name] ?? '').split(' ');
  expect(cmd).toBe('node');
  return args;
}

/**
 * `npm start` as a new user runs it: the whole demo stack comes up, the banner says where
 * to point a client and how to get a dev token, what it prints works, and SIGTERM drains
 * and exits 0. Upstreams on free ports (DEMO_PORTS=free) so a developer's running demo
 * does not collide with this one.
 */
describe('npm start (the demo stack)', () => {
  let child: ChildProcess | undefined;
  let out = '';
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
  });

  it('starts, prints the doors and a dev-token recipe that work, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    child = spawn(process.execPath, scriptArgs('start'), {
      env: { ...process.env, PORT: String(port), DEMO_PORTS: 'free', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = child;
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const until = Date.now() + 60_000;
    while (!out.includes('Ctrl-C stops everything')) {
      if (Date.now() > until || proc.exitCode !== null) throw new Error(`the demo did not come up:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const base = `http://127.0.0.1:${port}`;
    expect(out).toContain(`POST ${base}/graphql`);
    expect(out).toContain(`${base}/bff/mobile/graphql`);
    expect(out).toContain('npm run -s token --');

    // The example the banner prints, sent as printed.
    const example = /-d '(\{"query":.*\})'/.exec(out)?.[1];
    expect(example).toBeDefined();
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: example });
    const body = (await res.json()) as { data?: { topProducts?: Array<{ name: string; reviews: Array<{ author: { name: string } }> }> }; errors?: unknown };
    expect(res.status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.topProducts).toHaveLength(2);
    // Every hop answered: product names, and review authors from the users subgraph.
    expect(body.data?.topProducts?.every((p) => p.name.length > 0 && p.reviews.every((r) => r.author.name.length > 0))).toBe(true);

    // The dev token recipe: the token CLI's output is accepted by the mobile BFF.
    const token = (await run(process.execPath, [...scriptArgs('token'), '--sub', 'u1', '--role', 'admin'])).stdout.trim();
    const home = await fetch(`${base}/bff/mobile/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ home { user { name } } }' }),
    });
    expect(await home.json()).toEqual({ data: { home: { user: { name: 'Ada Lovelace' } } } });

    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});

describe('npm run start:gateway with a bad config value', () => {
  it('stops start-up with exit 1 and a message naming the key and its env var', async () => {
    const error = (await run(process.execPath, scriptArgs('start:gateway'), { env: { ...process.env, PORT: 'not-a-port' } }).catch((e: unknown) => e)) as {
      code?: number;
      stderr?: string;
    };
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/server\.port/);
    expect(error.stderr).toMatch(/PORT/);
  });
});
