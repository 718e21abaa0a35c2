import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly startedAt: number;
  endedAt?: number;
}

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Stop listening and cut every socket (simulates a crash when `hard`). */
  close(): Promise<void>;
  /** Start again on the same port (after close). */
  restart(): Promise<void>;
}

/**
 * A real loopback HTTP server for tests, on a free port (or a given one), that records
 * each request (method, url, headers, start/end) before handing it to `handler`.
 */
export async function startTestServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
  options: { port?: number } = {},
): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let server: Server;
  let port = options.port ?? 0;

  const listen = async (): Promise<void> => {
    server = createServer((req, res) => {
      const record: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, startedAt: performance.now() };
      requests.push(record);
      res.once('close', () => {
        record.endedAt = performance.now();
      });
      Promise.resolve(handler(req, res)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
        else res.destroy();
      });
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  };
  await listen();

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
    restart: listen,
  };
}

/** Reads a request body fully (test servers only). */
export async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}
