import type { Socket } from 'node:net';

/** Where each socket's counters stood when its previous request ended. */
const lastSeen = new WeakMap<Socket, { read: number; written: number }>();

/**
 * Bytes read and written on the socket since its previous request ended: this request's
 * request line, headers and body, and its full response (nginx's `$request_length` and
 * `$bytes_sent`). Reading the socket's counters needs no hook on either body stream.
 * HTTP/1.1 without pipelining (what clients do) has one request at a time per socket;
 * call once per request, when its response has closed.
 */
export function takeWireBytes(socket: Socket): { bytesIn: number; bytesOut: number } {
  const read = socket.bytesRead;
  const written = socket.bytesWritten;
  const prev = lastSeen.get(socket);
  lastSeen.set(socket, { read, written });
  return { bytesIn: read - (prev?.read ?? 0), bytesOut: written - (prev?.written ?? 0) };
}
