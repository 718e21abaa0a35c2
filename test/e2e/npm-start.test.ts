import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bodyOf, startTestServer, type TestServer } from '../helpers/http-server.ts';
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

/** Starts an npm script's command and collects its output; `up` resolves once the output has `ready` (bounded). */
function startScript(name: string, env: NodeJS.ProcessEnv, ready: string): { child: ChildProcess; output: () => string; up: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, scriptArgs(name), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const up = (async () => {
    const until = Date.now() + 60_000;
    while (!out.includes(ready)) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`${name} did not come up:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  // Awaited by tests that wait for start-up; the others only wait for the exit.
  up.catch(() => undefined);
  return { child, output: () => out, up, exited };
}

/**
 * The demo takes its config as `npm run start:gateway` does (defaults < demo wiring < file
 * < env): a route added by a GATEWAY_CONFIG file is served, the demo's own routes stay, and
 * SUBGRAPH_USERS_URL wins over both the demo's users subgraph and the file's URL for it.
 */
describe('npm start with a config file and env overrides', () => {
  let child: ChildProcess | undefined;
  const servers: TestServer[] = [];
  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.close()));
  });

  it('serves the route the file adds and sends the users subgraph where SUBGRAPH_USERS_URL says', async () => {
    const usersBodies: string[] = [];
    const users = await startTestServer(async (req, res) => {
      usersBodies.push((await bodyOf(req)).toString());
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { user: { name: 'Recorded Ada' } } }));
    });
    const extra = await startTestServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"extra"}'));
    servers.push(users, extra);
    const dir = mkdtempSync(join(tmpdir(), 'npm-start-config-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      [
        'routes:',
        '  - name: extra',
        '    prefix: /extra',
        `    targets: [{ url: "${extra.url}" }]`,
        'subgraphs:',
        // The env below must win over this (a dead address).
        '  users: { url: "http://127.0.0.1:1/graphql" }',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const demo = startScript('start', { PORT: String(port), DEMO_PORTS: 'free', LOG_LEVEL: 'warn', GATEWAY_CONFIG: file, SUBGRAPH_USERS_URL: `${users.url}/graphql` }, 'Ctrl-C stops everything');
    child = demo.child;
    await demo.up;
    const base = `http://127.0.0.1:${port}`;
    // The banner says what the config changed.
    expect(demo.output()).toMatch(new RegExp(`subgraph\\s+users\\s+${users.url}/graphql\\s+\\(from config`));
    expect(demo.output()).toMatch(new RegExp(`route\\s+extra\\s+/api/v1/extra → ${extra.url}`));

    const viaFile = await fetch(`${base}/api/v1/extra/ping?x=1`);
    expect(viaFile.status).toBe(200);
    expect(await viaFile.json()).toEqual({ from: 'extra' });
    expect(extra.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /ping?x=1']);

    const viaEnv = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ user(id: "u1") { name } }' }) });
    expect(await viaEnv.json()).toEqual({ data: { user: { name: 'Recorded Ada' } } });
    expect(users.requests).toHaveLength(1);
    expect(users.requests[0]?.url).toBe('/graphql');
    expect(users.requests[0]?.headers['x-gateway-signature']).toMatch(/^v1=/);
    expect(usersBodies[0]).toContain('user(id:');

    // The demo's own route is still there beside the file's.
    const own = await fetch(`${base}/api/v1/notifications/notifications?userId=u1`);
    expect(own.status).toBe(200);
    await own.arrayBuffer();

    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
  }, 90_000);
});

describe('a port already in use', () => {
  let holder: Server | undefined;
  afterAll(() => new Promise<void>((resolve) => (holder ? holder.close(() => resolve()) : resolve())));

  it('stops npm start and npm run start:gateway with one line naming the port and PORT, exit code 1', async () => {
    holder = createServer();
    const held = holder;
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    const address = held.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    for (const [script, command] of [
      ['start', 'npm start'],
      ['start:gateway', 'npm run start:gateway'],
    ] as const) {
      const run = startScript(script, { PORT: String(port), DEMO_PORTS: 'free', LOG_LEVEL: 'warn' }, '\u0000never');
      expect(await run.exited, run.output()).toBe(1);
      const lines = run.output().trim().split('\n');
      expect(lines, run.output()).toHaveLength(1);
      expect(lines[0]).toBe(`port ${port} on 127.0.0.1 is already in use: stop what listens there, or choose another port with PORT (e.g. PORT=4100 ${command}; PORT=0 picks a free one)`);
    }
  }, 60_000);
});

describe('npm start with a name in config that names nothing', () => {
  it('stops before starting anything, naming the key and the closest name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npm-start-typo-'));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'upstreams:\n  usres: { timeoutMs: 100 }\n');
    const run = startScript('start', { PORT: String(await freePort()), DEMO_PORTS: 'free', GATEWAY_CONFIG: file }, '\u0000never');
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/^Invalid gateway configuration:\n {2}- upstreams\.usres: there is no upstream "usres" \(did you mean "users"\?\)/);
    expect(run.output()).not.toContain('bff-gateway demo is up');
  }, 60_000);
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
