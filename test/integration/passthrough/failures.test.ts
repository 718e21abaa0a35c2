import { Agent, request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { bodyOf, startTestServer, type TestServer } from '../../helpers/http-server.ts';
import { deadPort, waitFor } from '../../helpers/upstream-pipeline.ts';
import { sha256, startHangingServer } from '../../helpers/upstream-servers.ts';

const MiB = 1024 * 1024;

/** Sends a chunked upload by hand and resolves with the status (or the socket error code). */
function chunkedUpload(
  url: string,
  chunks: Buffer[],
  agent?: Agent,
): Promise<{ status: number; body: string; connection: string | undefined } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'PUT', agent, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    (async () => {
      for (const c of chunks) {
        if (req.destroyed) return;
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(() => undefined);
  });
}

describe('REST passthrough failures (real gateway, real upstreams)', () => {
  let ok: TestServer;
  let failing: TestServer;
  let hanging: TestServer;
  let slowSink: TestServer;
  let dying: TestServer;
  let trickle: TestServer;
  let gateway: Gateway;
  let dead: string;

  beforeAll(async () => {
    ok = await startTestServer(async (req, res) => {
      const body = await bodyOf(req);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`${body.length} ${sha256(body)}`);
    });
    failing = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(500).end('boom');
    });
    hanging = await startHangingServer();
    // Reads the upload and never answers: the client gives up first.
    slowSink = await startTestServer((req) => {
      req.on('data', () => undefined);
    });
    // Starts a response and dies halfway through it.
    dying = await startTestServer((req, res) => {
      req.resume();
      const chunked = req.url?.includes('chunked');
      res.writeHead(200, chunked ? {} : { 'content-length': '100000' });
      res.write(Buffer.alloc(1000, 97));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    // Streams a response that never ends.
    trickle = await startTestServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(1024, 98));
    });
    dead = `http://127.0.0.1:${await deadPort()}`;
    const once = { retry: { attempts: 1 } };
    gateway = await startGateway({
      server: { passthroughBodyLimitBytes: 1 * MiB },
      routes: [
        { name: 'ok', prefix: '/ok', targets: [{ url: ok.url }] },
        { name: 'dead', prefix: '/dead', targets: [{ url: dead }], policy: { ...once, breaker: { consecutiveFailures: 1000 } } },
        { name: 'slow', prefix: '/slow', targets: [{ url: hanging.url }], policy: { ...once, timeoutMs: 200, breaker: { consecutiveFailures: 1000 } } },
        { name: 'flaky', prefix: '/flaky', targets: [{ url: failing.url }], policy: { ...once, breaker: { consecutiveFailures: 2, openMs: 30_000 } } },
        { name: 'sink', prefix: '/sink', targets: [{ url: slowSink.url }] },
        { name: 'dying', prefix: '/dying', targets: [{ url: dying.url }] },
        { name: 'trickle', prefix: '/trickle', targets: [{ url: trickle.url }] },
      ],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([ok, failing, hanging, slowSink, dying, trickle].map((s) => s?.close()));
  });

  async function problem(path: string, init: Parameters<typeof request>[1] = {}) {
    const res = await request(`${gateway.url}${path}`, init);
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> };
  }

  it('upstream connection failure → 502 problem+json UPSTREAM_UNAVAILABLE', async () => {
    const res = await problem('/api/v1/dead/x');
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 502, code: 'UPSTREAM_UNAVAILABLE', upstream: 'dead' });
    expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);
  });

  it.each(['content-length', 'chunked'])('an upstream that dies mid-response (%s) gives the client a broken response, never a clean short one', async (kind) => {
    const res = await request(`${gateway.url}/api/v1/dying/${kind}`);
    expect(res.statusCode).toBe(200);
    await expect(res.body.arrayBuffer()).rejects.toBeDefined();
  });

  it('upstream timeout → 504 problem+json UPSTREAM_TIMEOUT, and the upstream request is cut', async () => {
    const before = hanging.requests.length;
    const res = await problem('/api/v1/slow/x');
    expect(res.status).toBe(504);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    await waitFor(() => hanging.requests[before]?.endedAt !== undefined, 'the upstream socket to close');
  });

  it('open breaker → 503 problem+json CIRCUIT_OPEN with Retry-After, and the upstream sees nothing more', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await request(`${gateway.url}/api/v1/flaky/x`);
      expect(res.statusCode).toBe(500);
      await res.body.dump();
    }
    const seen = failing.requests.length;
    const res = await problem('/api/v1/flaky/x');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body).toMatchObject({ status: 503, code: 'CIRCUIT_OPEN' });
    for (let i = 0; i < 5; i++) expect((await problem('/api/v1/flaky/x')).status).toBe(503);
    expect(failing.requests.length).toBe(seen);
  });

  it('a body over passthroughBodyLimitBytes with Content-Length → 413 before anything reaches the upstream', async () => {
    const before = ok.requests.length;
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${gateway.url}/api/v1/ok/big`, { method: 'POST', headers: { 'content-length': String(2 * MiB) } }, (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(randomBytes(64 * 1024)); // the client starts sending; the gateway refuses at the headers
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limitBytes: MiB });
    expect(ok.requests.length).toBe(before);
  });

  it('a chunked body that grows past the limit → 413 on a closed connection, and the upstream request is aborted', async () => {
    const before = ok.requests.length;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const chunks = Array.from({ length: 40 }, () => randomBytes(64 * 1024)); // 2.5 MiB
    const res = await chunkedUpload(`${gateway.url}/api/v1/ok/big`, chunks, agent);
    expect(res).toMatchObject({ status: 413, connection: 'close' });
    if ('body' in res) expect(JSON.parse(res.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // The upstream saw the start of the upload and then lost it.
    await waitFor(() => ok.requests.slice(before).every((r) => r.endedAt !== undefined), 'the upstream request to end');
    // The same keep-alive client carries on (it must not be handed the half-read connection).
    const small = Array.from({ length: 8 }, () => randomBytes(64 * 1024));
    expect(await chunkedUpload(`${gateway.url}/api/v1/ok/after`, small, agent)).toMatchObject({ status: 200, body: `${512 * 1024} ${sha256(Buffer.concat(small))}` });
    agent.destroy();
  });

  it('oversized uploads are the client\'s fault: they never open the upstream\'s breaker', async () => {
    // The `ok` route has the default consecutiveFailures (5).
    for (let i = 0; i < 6; i++) {
      const res = await chunkedUpload(`${gateway.url}/api/v1/ok/big-${i}`, Array.from({ length: 24 }, () => randomBytes(64 * 1024)));
      expect(res).toMatchObject({ status: 413 });
    }
    const pipeline = gateway.upstreams.get('ok')!;
    expect(pipeline.breakers.for(pipeline.definition.targets[0]!).state).toBe('closed');
    const res = await request(`${gateway.url}/api/v1/ok/still-fine`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  it('a chunked body under the limit goes through whole', async () => {
    const chunks = Array.from({ length: 8 }, () => randomBytes(64 * 1024));
    const res = await chunkedUpload(`${gateway.url}/api/v1/ok/fine`, chunks);
    expect(res).toMatchObject({ status: 200, body: `${512 * 1024} ${sha256(Buffer.concat(chunks))}` });
  });

  it('client abort mid-upload cancels the upstream request', async () => {
    const before = slowSink.requests.length;
    const req = httpRequest(`${gateway.url}/api/v1/sink/upload`, { method: 'PUT', headers: { 'transfer-encoding': 'chunked' } });
    req.on('error', () => undefined);
    req.write(randomBytes(16 * 1024));
    await waitFor(() => slowSink.requests.length > before, 'the upload to reach the upstream');
    expect(slowSink.requests[before]!.endedAt).toBeUndefined();
    req.destroy();
    await waitFor(() => slowSink.requests[before]!.endedAt !== undefined, 'the upstream to see the request cancelled');
  });

  it('clients aborting uploads never open the upstream\'s breaker', async () => {
    for (let i = 0; i < 6; i++) {
      const before = slowSink.requests.length;
      const req = httpRequest(`${gateway.url}/api/v1/sink/upload-${i}`, { method: 'PUT', headers: { 'transfer-encoding': 'chunked' } });
      req.on('error', () => undefined);
      req.write(randomBytes(16 * 1024));
      await waitFor(() => slowSink.requests.length > before, 'the upload to reach the upstream');
      req.destroy();
      await waitFor(() => slowSink.requests[before]!.endedAt !== undefined, 'the upstream to see the request cancelled');
    }
    const pipeline = gateway.upstreams.get('sink')!;
    expect(pipeline.breakers.for(pipeline.definition.targets[0]!).state).toBe('closed');
  });

  it('client abort mid-download cancels the upstream response', async () => {
    const controller = new AbortController();
    const res = await request(`${gateway.url}/api/v1/trickle/file`, { signal: controller.signal });
    expect(res.statusCode).toBe(200);
    const rec = trickle.requests.at(-1)!;
    await new Promise<void>((resolve) => res.body.once('data', () => resolve()));
    res.body.on('error', () => undefined);
    controller.abort();
    await waitFor(() => rec.endedAt !== undefined, 'the upstream to see the response cancelled');
  });

  it('client abort while waiting for the response cancels the upstream request', async () => {
    const before = slowSink.requests.length;
    const controller = new AbortController();
    const pending = request(`${gateway.url}/api/v1/sink/wait`, { signal: controller.signal }).catch(() => 'aborted');
    await waitFor(() => slowSink.requests.length > before, 'the request to reach the upstream');
    const rec = slowSink.requests[before]!;
    controller.abort();
    expect(await pending).toBe('aborted');
    await waitFor(() => rec.endedAt !== undefined, 'the upstream to see the request cancelled');
  });
});
