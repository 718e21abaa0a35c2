import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson } from './json-http.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface HttpService {
  /** `http://host:port`, with a wildcard host shown as 127.0.0.1 so the URL is callable. */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/** How long close() lets in-flight requests finish before cutting their sockets. */
const DRAIN_MS = 2_000;

/**
 * A plain node:http server for one demo service: listens (port 0 = a free port), answers
 * 500 JSON when a handler throws, and closes gracefully. Subgraphs and REST services share it
 * so they behave the same under the gateway's tests.
 */
export async function startHttpService(
  options: { host?: string; port: number },
  handler: RequestHandler,
  onClose?: () => Promise<void>,
): Promise<HttpService> {
  const host = options.host ?? '127.0.0.1';
  let inFlight = 0;
  let wakeWhenIdle: (() => void) | undefined;

  const server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) wakeWhenIdle?.();
    });
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'INTERNAL', message: (error as Error)?.message ?? String(error) });
      else res.destroy();
    });
  });
  // A demo upstream should not keep a test process alive through a forgotten keep-alive socket.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (wakeWhenIdle = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS))),
        ]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
      await onClose?.();
    })());

  return { origin: `http://${urlHost(host)}:${port}`, port, close };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
