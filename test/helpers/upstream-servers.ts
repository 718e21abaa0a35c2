import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyOf, startTestServer, type TestServer } from './http-server.ts';

/** A promise the test resolves by hand (hold upstream responses until released). */
export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Answers every request with the request as JSON: method, url, headers, body size and sha256. */
export function echoJson(): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const body = await bodyOf(req);
    const payload = JSON.stringify({
      method: req.method,
      url: req.url,
      headers: req.headers,
      length: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(payload);
  };
}

/** Reads requests but never answers them (the socket stays open until the client gives up). */
export async function startHangingServer(): Promise<TestServer> {
  return startTestServer((req) => {
    req.resume();
  });
}

/** A server whose answer is decided per request by `status()`, body "ok" or "fail". */
export async function startStatusServer(status: () => number): Promise<TestServer> {
  return startTestServer(async (req, res) => {
    await bodyOf(req);
    const code = status();
    res.writeHead(code, { 'content-type': 'text/plain' }).end(code < 400 ? 'ok' : 'fail');
  });
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
