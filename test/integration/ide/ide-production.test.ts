import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { freePort, waitReady } from '../../helpers/net.ts';

/**
 * NODE_ENV=production turns the IDE off by default: a real gateway process started as a
 * container starts it answers a browser's GET exactly as a gateway with `ide.enabled:
 * false` does (as before the IDE existed), and serves no IDE asset.
 */

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

interface Seen {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
}

async function browserGet(url: string): Promise<Seen> {
  const res = await fetch(url, { headers: { accept: BROWSER_ACCEPT } });
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.json() };
}

describe('the IDE under NODE_ENV=production', () => {
  let child: ChildProcess | undefined;
  let stderr = '';
  let url = '';
  let reference: Gateway;

  beforeAll(async () => {
    reference = await startGateway({ ide: { enabled: false } });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli/start.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        APOLLO_TELEMETRY_DISABLED: 'true',
        NODE_ENV: 'production',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        AUTH_DEV_KEYS: 'false',
        IDENTITY_SIGNING_KEYS: 'prod-k1:production-test-secret-0123456789abcdef',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    await waitReady(`${url}/readyz`, 30_000);
  }, 40_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await reference?.close();
  });

  it('answers a browser on /graphql as with the IDE off: the GraphQL CSRF refusal, no page', async () => {
    const production = await browserGet(`${url}/graphql`);
    const off = await browserGet(`${reference.url}/graphql`);
    expect(production.status).toBe(400);
    expect(production.contentType).toContain('application/json');
    expect(production).toEqual(off);
    expect(stderr).toBe('');
  });

  it('serves no IDE asset', async () => {
    const res = await fetch(`${url}/_ide/0000000000000000/graphiql.min.js`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
