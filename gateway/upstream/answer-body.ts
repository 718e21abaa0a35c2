import { UpstreamBadResponseError, UpstreamResponseTooLargeError, isGatewayError } from '../errors/gateway-error.ts';
import type { UpstreamPolicyConfig } from '../config/index.ts';
import { bodyLimits, classifyTransportError } from './transport.ts';
import type { BodyReader, Policy, UpstreamCall, UpstreamRequest, UpstreamResponse } from './types.ts';

/**
 * The answer's body as part of the call. Just above the transport, so inside the
 * attempt's timeout and below the breaker, retry and telemetry:
 *
 * - An answer that declares a Content-Length over `maxResponseBytes` fails the call before
 *   a byte of it is read, whoever the caller (a streamed answer would otherwise have its
 *   headers sent on before it is cut).
 * - For a request with a body reader, the whole body is read here, and what the reader
 *   makes of it is the call's outcome: a body that stalls is the attempt's timeout (or the
 *   request's deadline), one past the limit is cut there by undici (`maxResponseSize` on
 *   the Pool), one the reader refuses is UPSTREAM_BAD_RESPONSE. The breaker counts them,
 *   telemetry times them, as it would a failed connection.
 */
export function answerBodyPolicy(upstream: string, policy: UpstreamPolicyConfig): Policy {
  const limits = bodyLimits(policy);
  return (next) => async (req) => {
    const res = await next(req);
    if (mayHaveBody(req.method, res.statusCode) && declaredLength(res) > limits.maxResponseBytes) {
      // Destroying the body resets the connection: the bytes are never taken off the socket.
      res.body.destroy();
      throw new UpstreamResponseTooLargeError(upstream, limits.maxResponseBytes);
    }
    const read = req.readBody;
    if (!read) return res;
    let text: string;
    try {
      text = await res.body.text();
    } catch (error) {
      throw classifyTransportError(upstream, error, req.signal ?? req.ctx.signal, limits);
    }
    try {
      return { ...res, read: { value: read({ statusCode: res.statusCode, headers: res.headers, text }) } };
    } catch (error) {
      // A reader is expected to say why with a named error; anything else it threw still
      // means the body was not what this caller can use.
      throw isGatewayError(error) ? error : new UpstreamBadResponseError(upstream, 'the body could not be read', res.statusCode);
    }
  };
}

/** A HEAD answer's or a 304's Content-Length is the size of a body that is not sent. */
function mayHaveBody(method: string, status: number): boolean {
  return method !== 'HEAD' && status !== 204 && status !== 304;
}

/** The Content-Length the answer declares; 0 when it declares none (or nonsense: undici then fails the body). */
function declaredLength(res: UpstreamResponse<unknown>): number {
  const header = res.headers['content-length'];
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(value) ? value : 0;
}

/**
 * A call whose body is read inside the pipeline, returning what the request's reader made
 * of it (with the answer's status): the one place that holds the pipeline to having read.
 */
export async function callReading<T>(call: UpstreamCall, req: UpstreamRequest<T> & { readonly readBody: BodyReader<T> }): Promise<{ readonly statusCode: number; readonly value: T }> {
  const res = await call(req);
  if (!res.read) throw new Error(`${req.upstream}: the pipeline returned an answer it did not read`);
  return { statusCode: res.statusCode, value: res.read.value };
}
