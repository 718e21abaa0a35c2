import type { IncomingMessage } from 'node:http';
import { MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors/gateway-error.ts';

/**
 * Reads a whole request body, refusing more than `limitBytes`: a declared
 * Content-Length over the limit is refused before a byte is read, and a chunked body is
 * cut off as soon as it passes the limit.
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new PayloadTooLargeError(limitBytes);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

const JSON_TYPES = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** A JSON request body, with a message that says where the JSON broke. */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const contentType = req.headers['content-type'];
  if (!contentType || !JSON_TYPES.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
  const raw = await readBody(req, limitBytes);
  if (raw.length === 0) throw new MalformedJsonError('the body is empty');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (error) {
    throw new MalformedJsonError((error as Error).message);
  }
}
