import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyMatchesSignature } from './signed-body.ts';

/** Error bodies of the demo services: a stable code and a message, nothing else. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, error: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error, message } satisfies ErrorBody, headers);
}

/** Thrown by readJson; handlers turn it into a 400 or 413 (a 401 when the body is not the one signed). */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 401 | 413,
    readonly code: 'BAD_JSON' | 'PAYLOAD_TOO_LARGE' | 'SIGNATURE_INVALID',
    message: string,
  ) {
    super(message);
  }
}

/** Reads a whole body of at most `limitBytes`. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new BodyError(413, 'PAYLOAD_TOO_LARGE', `body exceeds ${limitBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Reads and parses a JSON body of at most `limitBytes`. An empty body is bad JSON too; a
 * body whose digest the gateway signed must be that body.
 */
export async function readJson(req: IncomingMessage, limitBytes = 1_048_576): Promise<unknown> {
  const body = await readBody(req, limitBytes);
  if (!bodyMatchesSignature(req, body)) throw new BodyError(401, 'SIGNATURE_INVALID', 'the body is not the one the gateway signed');
  return parseJson(body);
}

export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BodyError(400, 'BAD_JSON', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
