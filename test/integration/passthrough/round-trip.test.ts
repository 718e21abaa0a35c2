import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { bodyOf, startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { rawRequest } from '../../helpers/upstream-raw-http.ts';
import { sha256 } from '../../helpers/upstream-servers.ts';

/**
 * The upstream echoes the request body back (streaming) with `?status=` as its status and
 * the request line in `x-echo-*` headers; `?respond=hop` adds hop-by-hop response headers.
 */
async function echoUpstream(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://upstream');
  const status = Number(url.searchParams.get('status') ?? 200);
  const headers: Record<string, string> = {
    'x-echo-method': req.method ?? '',
    'x-echo-url': req.url ?? '',
    'content-type': req.headers['content-type'] ?? 'application/octet-stream',
  };
  if (url.searchParams.get('respond') === 'hop') {
    Object.assign(headers, {
      connection: 'keep-alive, x-upstream-hop',
      'x-upstream-hop': 'secret',
      'keep-alive': 'timeout=5',
      'proxy-authenticate': 'Basic',
      'x-upstream-kept': 'yes',
      server: 'Upstream/1.2.3 (Debian)',
      'x-powered-by': 'Express',
    });
  }
  if (status === 204 || status === 304) {
    await bodyOf(req);
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, headers);
  req.pipe(res);
}

describe('REST passthrough round trips (real gateway, real upstream)', () => {
  let upstream: TestServer;
  let gateway: Gateway;
  const MiB = 1024 * 1024;

  beforeAll(async () => {
    upstream = await startTestServer(echoUpstream);
    gateway = await startGateway({
      server: { passthroughBodyLimitBytes: 10 * MiB },
      routes: [
        { name: 'echo', prefix: '/echo', targets: [{ url: upstream.url }] },
        { name: 'based', prefix: '/based', targets: [{ url: `${upstream.url}/svc` }], upstreamBasePath: '/v2' },
        { name: 'readonly', prefix: '/readonly', methods: ['GET', 'HEAD'], targets: [{ url: upstream.url }] },
      ],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const lastUpstream = () => upstream.requests.at(-1)!;

  it.each(['GET', 'DELETE'] as const)('%s without a body round-trips with its query string', async (method) => {
    const res = await request(`${gateway.url}/api/v1/echo/items/42?a=1&b=two%20words&a=3`, { method });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-echo-method']).toBe(method);
    expect(res.headers['x-echo-url']).toBe('/items/42?a=1&b=two%20words&a=3');
    expect(await res.body.text()).toBe('');
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'] as const)('%s with a body round-trips byte-exact', async (method) => {
    const body = randomBytes(64 * 1024);
    const res = await request(`${gateway.url}/api/v1/echo/items`, { method, body, headers: { 'content-type': 'application/x-test' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-test');
    expect(res.headers['x-echo-method']).toBe(method);
    expect(sha256(Buffer.from(await res.body.arrayBuffer()))).toBe(sha256(body));
  });

  it('an 8 MiB random body streamed (chunked) round-trips byte-exact', async () => {
    const body = randomBytes(8 * MiB);
    const chunks = Array.from({ length: 128 }, (_, i) => body.subarray(i * 64 * 1024, (i + 1) * 64 * 1024));
    const res = await request(`${gateway.url}/api/v1/echo/upload`, { method: 'PUT', body: Readable.from(chunks) });
    expect(res.statusCode).toBe(200);
    const echoed = Buffer.from(await res.body.arrayBuffer());
    expect(echoed.length).toBe(body.length);
    expect(sha256(echoed)).toBe(sha256(body));
    expect(lastUpstream().headers['content-length']).toBeUndefined();
  });

  it('an 8 MiB body with Content-Length round-trips byte-exact and the length is forwarded', async () => {
    const body = randomBytes(8 * MiB);
    const res = await request(`${gateway.url}/api/v1/echo/upload`, { method: 'POST', body });
    expect(res.statusCode).toBe(200);
    expect(sha256(Buffer.from(await res.body.arrayBuffer()))).toBe(sha256(body));
    expect(lastUpstream().headers['content-length']).toBe(String(8 * MiB));
  });

  it('an upload with Expect: 100-continue (what curl sends over 1 MiB) goes through', async () => {
    const body = randomBytes(2 * MiB);
    const res = await rawRequest(
      gateway.url,
      `POST /api/v1/echo/expect HTTP/1.1\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nContent-Type: application/octet-stream`,
      body,
    );
    // node:http answers 100 Continue first; the final response follows it.
    expect(res.status).toBe(100);
    expect(res.body.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(lastUpstream().headers['content-length']).toBe(String(body.length));
    expect(lastUpstream().headers.expect).toBeUndefined();
  });

  it.each([201, 202, 204, 404, 500, 503])('upstream status %i is passed through (not turned into a gateway error)', async (status) => {
    const res = await request(`${gateway.url}/api/v1/echo/s?status=${status}`, { method: 'POST', body: 'x' });
    expect(res.statusCode).toBe(status);
    const text = await res.body.text();
    if (status !== 204) expect(text).toBe('x');
    expect(res.headers['content-type']).not.toBe('application/problem+json');
  });

  it('HEAD is answered without a body', async () => {
    const res = await request(`${gateway.url}/api/v1/readonly/h`, { method: 'HEAD' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-echo-method']).toBe('HEAD');
    expect(await res.body.text()).toBe('');
  });

  it('the route prefix is stripped and the target and route base paths are prepended', async () => {
    const res = await request(`${gateway.url}/api/v1/based/a/b?q=1`);
    await res.body.dump();
    expect(lastUpstream().url).toBe('/svc/v2/a/b?q=1');
  });

  it('sets X-Forwarded-For/-Proto/-Host and X-Request-ID upstream, and echoes X-Request-ID', async () => {
    const host = new URL(gateway.url).host;
    const res = await request(`${gateway.url}/api/v1/echo/fwd`, { headers: { 'x-request-id': 'client-req-7', 'x-forwarded-for': '203.0.113.9' } });
    await res.body.dump();
    expect(res.headers['x-request-id']).toBe('client-req-7');
    const h = lastUpstream().headers;
    expect(h['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe(host);
    expect(h['x-request-id']).toBe('client-req-7');
  });

  it('generates an X-Request-ID when the client sends none (or an invalid one)', async () => {
    const res = await request(`${gateway.url}/api/v1/echo/rid`, { headers: { 'x-request-id': 'not valid!' } });
    await res.body.dump();
    const id = res.headers['x-request-id'];
    expect(typeof id).toBe('string');
    expect(id).not.toBe('not valid!');
    expect(lastUpstream().headers['x-request-id']).toBe(id);
  });

  it('client-sent identity headers never reach the upstream; traceparent does', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await request(`${gateway.url}/api/v1/echo/who`, {
      headers: { 'x-user-id': 'admin', 'x-user-roles': 'root', 'x-user-scopes': '*', 'x-consumer': 'evil', 'x-consumer-tier': 'gold', 'x-gateway-client': 'admin', traceparent },
    });
    await res.body.dump();
    const h = lastUpstream().headers;
    for (const name of ['x-user-id', 'x-user-roles', 'x-user-scopes', 'x-consumer', 'x-consumer-tier', 'x-gateway-client']) expect(h[name], name).toBeUndefined();
    expect(h.traceparent).toBe(traceparent);
  });

  it('hop-by-hop request headers (and those named in Connection) are stripped', async () => {
    const res = await rawRequest(
      gateway.url,
      'GET /api/v1/echo/hop HTTP/1.1\r\nConnection: close, X-Client-Hop\r\nX-Client-Hop: secret\r\nKeep-Alive: timeout=9\r\nTE: trailers\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\nUpgrade: h2c\r\nX-Client-Kept: yes',
    );
    expect(res.status).toBe(200);
    const h = lastUpstream().headers;
    expect(h['x-client-kept']).toBe('yes');
    for (const name of ['x-client-hop', 'keep-alive', 'te', 'proxy-authorization', 'upgrade']) expect(h[name], name).toBeUndefined();
  });

  it('hop-by-hop response headers (and those named in Connection) are stripped', async () => {
    const res = await rawRequest(gateway.url, 'GET /api/v1/echo/hop?respond=hop HTTP/1.1');
    expect(res.status).toBe(200);
    expect(res.headers['x-upstream-kept']).toBe('yes');
    expect(res.headers['x-upstream-hop']).toBeUndefined();
    expect(res.headers['proxy-authenticate']).toBeUndefined();
    expect(res.headers['keep-alive']).toBeUndefined();
    expect(res.headers.connection).toBe('close');
    // What software (and version) runs behind the gateway is nobody else's business.
    expect(res.headers.server).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('an unknown route is 404 problem+json', async () => {
    const res = await request(`${gateway.url}/api/v1/nope/x`);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(await res.body.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('a method the route does not allow is 405 problem+json with Allow', async () => {
    const res = await request(`${gateway.url}/api/v1/readonly/x`, { method: 'POST', body: 'x' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(await res.body.json()).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
  });
});
