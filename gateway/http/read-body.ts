import type { IncomingMessage } from 'node:http';
import { ClientClosedRequestError, MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors/gateway-error.ts';

/**
 * Reads a whole request body, refusing more than `limitBytes`: a declared
 * Content-Length over the limit is refused before a byte is read, and a chunked body is
 * refused as soon as it passes the limit.
 *
 * A refused body is left unread, never destroyed: destroying the request destroys its
 * socket, and a socket closed with the client's bytes still arriving is reset, which can
 * take the 413 with it. The edge answers and then discards the rest (refused-body.ts).
 * A client that goes away mid-body (or breaks the chunked framing) is
 * CLIENT_CLOSED_REQUEST, not a failure of ours.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.reject(new PayloadTooLargeError(limitBytes));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('aborted', onGone);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        settle();
        // Stop the flow without destroying anything; the edge drains what is left.
        req.pause();
        reject(new PayloadTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      settle();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onGone = (): void => {
      settle();
      reject(new ClientClosedRequestError());
    };
    const onClose = (): void => {
      if (!req.complete) onGone();
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onGone);
    req.once('aborted', onGone);
    req.once('close', onClose);
  });
}

const JSON_TYPES = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * A JSON request body, with a message that says where the JSON broke. `inspect` sees the
 * text first and may refuse it by throwing (a door's limits on what the text may hold).
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number, inspect?: (text: string) => void): Promise<unknown> {
  const contentType = req.headers['content-type'];
  if (!contentType || !JSON_TYPES.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
  const raw = await readBody(req, limitBytes);
  if (raw.length === 0) throw new MalformedJsonError('the body is empty');
  const text = raw.toString('utf8');
  inspect?.(text);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MalformedJsonError(error instanceof Error ? error.message : String(error));
  }
}
