import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { rawRequest } from '../../helpers/upstream-raw-http.ts';

/**
 * Path traversal through the passthrough, sent as raw bytes (fetch and most clients
 * normalise paths before sending). The route `x` forwards to `<upstream>/base`; an
 * `admin` upstream sits beside it on another route. A path with dot segments (in any
 * spelling) is refused, never resolved, so the `x` upstream only ever receives paths
 * under `/base/`, and nothing reaches `admin` unless the path names its route as sent.
 */
describe('REST passthrough path traversal (raw HTTP)', () => {
  let xUpstream: TestServer;
  let adminUpstream: TestServer;
  let gateway: Gateway;

  beforeAll(async () => {
    const ok = (name: string) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${name} saw ${req.url}`);
    };
    xUpstream = await startTestServer(ok('x'));
    adminUpstream = await startTestServer(ok('admin'));
    gateway = await startGateway({
      routes: [
        { name: 'x', prefix: '/x', targets: [{ url: `${xUpstream.url}/base` }] },
        { name: 'admin', prefix: '/internal/admin', targets: [{ url: adminUpstream.url }] },
      ],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await xUpstream?.close();
    await adminUpstream?.close();
  });

  const get = (path: string) => rawRequest(gateway.url, `GET ${path} HTTP/1.1`);

  it.each([
    // [raw path, expected gateway status]
    ['/api/v1/x/../../admin', 400],
    ['/api/v1/x/../../../../etc/passwd', 400],
    ['/api/v1/x/%2e%2e/%2e%2e/admin', 400],
    ['/api/v1/x/%2E%2E/%2E%2E/%2E%2E/etc/passwd', 400],
    ['/api/v1/x/.%2e/.%2e/admin', 400],
    ['/api/v1/x/%252e%252e/%252e%252e/admin', 400],
    ['/api/v1/x/%252e%252e%252fadmin', 400],
    ['/api/v1/x/..%2f..%2fadmin', 400],
    ['/api/v1/x/..%2F..%2Fadmin', 400],
    ['/api/v1/x/%2e%2e%2f%2e%2e%2fadmin', 400],
    ['/api/v1/x/..\\..\\admin', 400],
    ['/api/v1/x/..%5c..%5cadmin', 400],
    ['/api/v1/x/%00/admin', 400],
    ['/api/v1/x/../internal/../../admin', 400],
    ['/api/v1/x/a/../b', 400],
    ['/api/v1/x/a/%2e%2e/b', 400],
    ['/api/v1/x/./a/./b', 400],
    ['/api/v1/x/../internal/admin/users', 400],
    ['/api/v1/x/..;/admin', 400],
    ['/api/v1/x/%2e%2e;jsessionid=1/admin', 400],
  ])('%s is refused (%i) and reaches no upstream', async (path, status) => {
    const before = xUpstream.requests.length + adminUpstream.requests.length;
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ status, code: status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST' });
    expect(xUpstream.requests.length + adminUpstream.requests.length).toBe(before);
  });

  it.each([
    ['/api/v1/x//a///b', '/base/a/b'],
    ['/api/v1/x/%61%62c', '/base/abc'],
    ['/api/v1/x/a?next=../../admin', '/base/a?next=../../admin'],
  ])('%s reaches the x upstream as %s, inside its base', async (path, expected) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(xUpstream.requests.at(-1)!.url).toBe(expected);
  });

  it('every path the x upstream ever received is under /base/ and free of dot segments and encoded separators', () => {
    expect(xUpstream.requests.length).toBeGreaterThan(0);
    for (const r of xUpstream.requests) {
      const path = r.url.split('?')[0]!;
      expect(path.startsWith('/base/')).toBe(true);
      expect(path.split('/')).not.toContain('..');
      expect(path.split('/')).not.toContain('.');
      expect(path).not.toMatch(/%2e|%2f|%5c|\\/i);
    }
  });
});
