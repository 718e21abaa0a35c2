import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly rawHead: string;
  readonly body: string;
}

/**
 * Sends `head` (request line and headers, without the blank line) and `body` verbatim over
 * a fresh TCP connection and reads the response until the server closes. For requests no
 * HTTP client would send as written: dot segments, backslashes, hop-by-hop headers.
 */
export async function rawRequest(url: string, head: string, body: string | Buffer = ''): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      const host = /\r\nhost:/i.test(head) ? '' : `\r\nHost: ${hostname}:${port}`;
      const close = /\r\nconnection:/i.test(head) ? '' : '\r\nConnection: close';
      socket.write(`${head}${host}${close}\r\n\r\n`);
      socket.write(body);
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('end', () => resolve());
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
  socket.destroy();
  const text = Buffer.concat(chunks).toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const rawHead = split >= 0 ? text.slice(0, split) : text;
  const [statusLine = '', ...lines] = rawHead.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let payload = split >= 0 ? text.slice(split + 4) : '';
  if (headers['transfer-encoding'] === 'chunked') payload = dechunk(payload);
  return { status: Number(statusLine.split(' ')[1]), headers, rawHead, body: payload };
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
