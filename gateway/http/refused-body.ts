import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/** How much of a refused body is read and thrown away before the connection is closed anyway. */
export interface RefusedBodyDrain {
  readonly maxBytes: number;
  readonly maxMs: number;
}

/**
 * For a request refused before its body was read whole (over the body limit, the wrong
 * content type, refused by an inbound policy): the answer says `connection: close`, and
 * the rest of the body is then read and thrown away, up to `maxBytes` and `maxMs`, before
 * the socket closes: a lingering close (RFC 9112 §9.6; nginx's `lingering_close`).
 *
 * Without it, node closes the socket as soon as the answer is written. The client is
 * still sending; bytes arriving at a closed socket make the kernel answer with a reset,
 * and a reset can discard the answer before the client has read it: a 413 lost to
 * ECONNRESET, or, for a client that writes its whole body before it reads, an EPIPE and
 * no answer at all. Here the write side is half-closed after the answer (the client sees
 * the answer, then the end), and the socket is destroyed only once the body has been read
 * whole, the client has closed, or a bound is reached.
 */
export function closeAfterDrainingBody(req: IncomingMessage, res: ServerResponse, drain: RefusedBodyDrain): void {
  res.setHeader('connection', 'close');
  const socket = req.socket;
  let seen = 0;
  let answered = false;
  const destroy = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(destroy, drain.maxMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // Node ends a `connection: close` response with socket.destroySoon() (end, then destroy
  // once written): keep the end (the FIN after the answer), defer the destroy.
  socket.destroySoon = () => {
    answered = true;
    if (socket.writable) socket.end();
    if (req.complete) Socket.prototype.destroySoon.call(socket);
  };
  req.once('end', () => {
    // The whole body is read: nothing left that could turn the close into a reset.
    if (answered) Socket.prototype.destroySoon.call(socket);
  });
  // Discard, counting: the body's bytes go nowhere (node's http parser reads the socket
  // itself, so the body is where they can be counted).
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > drain.maxBytes) destroy();
  });
  req.resume();
}
