import { connect } from 'node:net';

export interface UploadResult {
  /** Status of the answer, if one arrived. */
  readonly status: number | undefined;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The socket error the client met (EPIPE, ECONNRESET), if any. */
  readonly socketError: string | undefined;
  /** Body bytes the client got to write before the connection ended. */
  readonly bytesSent: number;
}

export interface UploadOptions {
  readonly path: string;
  readonly bytes: number;
  /** Chunked transfer coding instead of a Content-Length. */
  readonly chunked: boolean;
  readonly headers?: Record<string, string>;
}

/**
 * Uploads a body the way a simple blocking client does: it writes the whole request
 * (with backpressure) before it looks at the answer, and records any socket error on the
 * way. A server that closes on a client still sending makes its kernel reset the
 * connection: this client then sees EPIPE or ECONNRESET, and may lose the answer.
 */
export function uploadRaw(url: string, options: UploadOptions): Promise<UploadResult> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    let socketError: string | undefined;
    let sent = 0;
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      socketError ??= error.code ?? error.message;
    });
    socket.on('close', () => resolve({ ...parse(Buffer.concat(received).toString('latin1')), socketError, bytesSent: sent }));
    const extra = Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    const framing = options.chunked ? 'transfer-encoding: chunked' : `content-length: ${options.bytes}`;
    socket.write(`POST ${options.path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\n${framing}\r\n${extra}\r\n`);
    const piece = Buffer.alloc(64 * 1024, 'a');
    const writeMore = (): void => {
      while (sent < options.bytes) {
        if (socket.destroyed) return;
        const n = Math.min(piece.length, options.bytes - sent);
        sent += n;
        const data = n === piece.length ? piece : piece.subarray(0, n);
        const ok = socket.write(options.chunked ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data);
        if (!ok) {
          socket.once('drain', writeMore);
          return;
        }
      }
      if (!socket.destroyed) socket.end(options.chunked ? '0\r\n\r\n' : '');
    };
    writeMore();
  });
}

function parse(text: string): Pick<UploadResult, 'status' | 'headers' | 'body'> {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return { status: undefined, headers: {}, body: '' };
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) };
}
