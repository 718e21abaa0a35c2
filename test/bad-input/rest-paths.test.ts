import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/app.ts';
import { captureLog, type CapturedLog } from '../helpers/log-capture.ts';
import { startGateway } from '../helpers/gateway.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { rawRequest } from '../helpers/upstream-raw-http.ts';

/**
 * `/api/v1` paths that could move somewhere else, to us or to an upstream's decoder, are
 * refused before routing with 400 BAD_REQUEST (problem+json), as the README says, instead
 * of being resolved: dot segments in every spelling, backslashes, encoded slashes and
 * backslashes, NUL. Sent as raw bytes (HTTP clients resolve dot segments before sending),
 * against a real upstream that records every path it gets: nothing may reach it.
 */
describe('unsafe /api/v1 paths', () => {
  let upstream: TestServer;
  let gateway: Gateway;
  let captured: CapturedLog;

  beforeAll(async () => {
    upstream = await startTestServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`saw ${req.url ?? ''}`);
    });
    captured = captureLog();
    gateway = await startGateway(
      {
        log: { level: 'info' },
        routes: [
          { name: 'files', prefix: '/files', targets: [{ url: `${upstream.url}/base` }], access: { kind: 'anonymous' } },
          // Refused paths are refused before authentication: a 400, not a 401.
          { name: 'private', prefix: '/private', targets: [{ url: `${upstream.url}/private` }], access: { kind: 'authenticated' } },
        ],
      },
      { log: captured.log },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const send = (method: string, path: string) => rawRequest(gateway.url, `${method} ${path} HTTP/1.1`);

  it.each([
    '/api/v1/files/../admin',
    '/api/v1/files/a/../b',
    '/api/v1/files/a/..',
    '/api/v1/files/./a',
    '/api/v1/../api/v1/files/a',
    '/api/v1/files/%2e%2e/admin',
    '/api/v1/files/%2E%2E/admin',
    '/api/v1/files/%2E./admin',
    '/api/v1/files/.%2e/admin',
    '/api/v1/files/%2e/a',
    '/api/v1/files/%252e%252e/admin',
    '/api/v1/files/..%2fadmin',
    '/api/v1/files/a%2F..%2Fadmin',
    '/api/v1/files/..%5cadmin',
    '/api/v1/files/..\\admin',
    '/api/v1/files\\..\\private',
    '/api/v1/files/%00/a',
    '/api/v1/files/..;x=1/admin',
    '/api/v1/private/../files/a',
    '/api/v1/private/%2e%2e/files',
  ])('%s → 400 BAD_REQUEST before routing, and nothing reaches the upstream', async (path) => {
    for (const method of ['GET', 'DELETE']) {
      const before = upstream.requests.length;
      const res = await send(method, path);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/problem+json');
      const problem = JSON.parse(res.body) as { code: string; status: number; detail: string };
      expect(problem).toMatchObject({ code: 'BAD_REQUEST', status: 400 });
      expect(problem.detail.length).toBeLessThan(200);
      expect(upstream.requests.length).toBe(before);
    }
  });

  it('safe paths still reach the upstream, under the route base, exactly as sent', async () => {
    const res = await send('GET', '/api/v1/files/a/b%20c/..x/.y?next=../../admin');
    expect(res.status).toBe(200);
    expect(upstream.requests.at(-1)?.url).toBe('/base/a/b%20c/..x/.y?next=../../admin');
  });

  it('the upstream never saw a dot segment or an encoded separator, nothing was logged as an error, /healthz is 200', async () => {
    for (const r of upstream.requests) {
      const segments = (r.url.split('?')[0] ?? '').split('/');
      expect(segments).not.toContain('..');
      expect(segments).not.toContain('.');
      expect(r.url.split('?')[0]).not.toMatch(/%2e|%2f|%5c|\\/i);
    }
    expect(captured.errors()).toEqual([]);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });
});
