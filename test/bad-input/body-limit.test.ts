import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/app.ts';
import { signDevToken } from '../../gateway/auth/index.ts';
import { captureLog, type CapturedLog } from '../helpers/log-capture.ts';
import { startGateway } from '../helpers/gateway.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { uploadRaw, type UploadResult } from '../helpers/raw-upload.ts';

const LIMIT = 1024 * 1024;
const SIZES = [Math.ceil(1.1 * LIMIT), 5_000_000, 20_000_000];

/**
 * A body over the limit is answered 413 PAYLOAD_TOO_LARGE, and the answer reaches the
 * client, whatever its size and framing: the gateway reads and discards what the client
 * still sends before it closes (gateway/http/refused-body.ts). Closing at once on a client
 * still sending made the kernel reset the connection, and the client saw EPIPE or
 * ECONNRESET instead of the 413. The client here writes its whole body before reading, so
 * any close before the body is read shows as a socket error.
 */
describe('bodies over the limit, on every door', () => {
  let gateway: Gateway;
  let upstream: TestServer;
  let captured: CapturedLog;
  let token: string;
  /** Bodies the upstream received whole: a streamed upload cut at the limit must never be one. */
  let completeUploads = 0;

  beforeAll(async () => {
    upstream = await startTestServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        completeUploads++;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    captured = captureLog();
    gateway = await startGateway(
      {
        log: { level: 'info' },
        server: { bodyLimitBytes: LIMIT, passthroughBodyLimitBytes: LIMIT },
        routes: [{ name: 'uploads', prefix: '/uploads', targets: [{ url: upstream.url }], access: { kind: 'anonymous' } }],
      },
      { log: captured.log },
    );
    token = await signDevToken({ sub: 'u1' });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const doors = (): Array<[string, Record<string, string>]> => [
    ['/graphql', {}],
    ['/bff/web/graphql', { authorization: `Bearer ${token}` }],
    ['/api/v1/uploads/files', {}],
  ];

  it.each([false, true])('413 reaches the client, never a reset (chunked: %s)', { timeout: 120_000 }, async (chunked) => {
    const results: Array<{ door: string; bytes: number; result: UploadResult }> = [];
    for (const [door, headers] of doors()) {
      for (const bytes of SIZES) {
        // Bounded repetitions, two at a time, so the refusals also overlap.
        for (let round = 0; round < 3; round++) {
          const pair = await Promise.all([0, 1].map(() => uploadRaw(gateway.url, { path: door, bytes, chunked, headers })));
          for (const result of pair) results.push({ door, bytes, result });
        }
      }
    }
    const outcomes = results.map(({ door, bytes, result }) => ({
      door,
      bytes,
      status: result.status,
      code: codeOf(result.body),
      connection: result.headers.connection,
      socketError: result.socketError,
    }));
    expect(outcomes).toEqual(
      results.map(({ door, bytes }) => ({ door, bytes, status: 413, code: 'PAYLOAD_TOO_LARGE', connection: 'close', socketError: undefined })),
    );
    // A declared Content-Length over the limit never reaches the upstream; a chunked upload
    // streams there until the limit and is then cut, never delivered whole.
    if (!chunked) expect(upstream.requests).toHaveLength(0);
    expect(completeUploads).toBe(0);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    expect(captured.errors()).toEqual([]);
  });

  it('any refusal before the body is read reaches the client too: a 401 on an upload without a token', async () => {
    for (const chunked of [false, true]) {
      const result = await uploadRaw(gateway.url, { path: '/bff/web/graphql', bytes: 5_000_000, chunked });
      expect({ status: result.status, code: codeOf(result.body), socketError: result.socketError }).toEqual({ status: 401, code: 'UNAUTHENTICATED', socketError: undefined });
    }
  });

  it('fetch (undici) gets the 413 too, with a body it is still streaming', async () => {
    for (const bytes of SIZES) {
      const res = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(bytes, 'a') });
      expect(res.status).toBe(413);
      expect(codeOf(await res.text())).toBe('PAYLOAD_TOO_LARGE');
    }
  });

  it('a body under the limit still goes through, on a connection that stays usable', async () => {
    const res = await fetch(`${gateway.url}/api/v1/uploads/files`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(LIMIT - 1, 'a') });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(completeUploads).toBe(1);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });
});

describe('draining a refused body is bounded', () => {
  it('in bytes: a client that keeps sending past refusedBodyDrainBytes is cut off', async () => {
    const gateway = await startGateway({ server: { bodyLimitBytes: LIMIT, refusedBodyDrainBytes: 2 * LIMIT, refusedBodyDrainMs: 60_000 } });
    try {
      const result = await uploadRaw(gateway.url, { path: '/graphql', bytes: 64 * LIMIT, chunked: false });
      expect(result.bytesSent).toBeLessThan(64 * LIMIT);
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  it('in time: a client that stops sending mid-body is cut off after refusedBodyDrainMs', async () => {
    const gateway = await startGateway({ server: { bodyLimitBytes: LIMIT, refusedBodyDrainMs: 200 } });
    try {
      const { hostname, port } = new URL(gateway.url);
      const socket = connect(Number(port), hostname);
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      // Declares 5 MB, sends a little, then stalls (and never ends its side).
      socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 5000000\r\n\r\n{"query":`);
      await closed;
      expect(Buffer.concat(received).toString('latin1')).toMatch(/^HTTP\/1\.1 413 /);
    } finally {
      await gateway.close();
    }
  });
});

/** `errors[0].extensions.code` of a GraphQL answer, or `code` of a problem+json one. */
function codeOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { code?: string; errors?: Array<{ extensions?: { code?: string } }> };
    return parsed.code ?? parsed.errors?.[0]?.extensions?.code;
  } catch {
    return undefined;
  }
}
