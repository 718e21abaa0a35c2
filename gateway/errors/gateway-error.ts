import { errorCodes, type ErrorCode } from './codes.ts';

export interface GatewayErrorOptions {
  /** Extra response headers the error implies (`Retry-After`, `Allow`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
  /** Safe, client-facing details (never upstream internals). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Base of every error the gateway raises on purpose. The message is written for the
 * client: it says what is wrong without leaking internals; `cause` keeps the rest for logs.
 */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = errorCodes[code].status;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}

export class MalformedJsonError extends GatewayError {
  constructor(reason: string) {
    super('MALFORMED_JSON', `Request body is not valid JSON: ${reason}`);
  }
}

export class BadRequestError extends GatewayError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
}

export class UnsupportedMediaTypeError extends GatewayError {
  constructor(contentType: string | undefined) {
    super(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${contentType ? `"${contentType}"` : '(none)'} is not supported; send application/json`,
    );
  }
}

export class PayloadTooLargeError extends GatewayError {
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${limitBytes} bytes`, {
      extensions: { limitBytes },
    });
  }
}

export class NotFoundError extends GatewayError {
  constructor(path: string) {
    super('NOT_FOUND', `No route matches ${path}`);
  }
}

export class MethodNotAllowedError extends GatewayError {
  constructor(method: string, allowed: readonly string[]) {
    super('METHOD_NOT_ALLOWED', `Method ${method} is not allowed here; allowed: ${allowed.join(', ')}`, {
      headers: { allow: allowed.join(', ') },
    });
  }
}

export class UpstreamUnavailableError extends GatewayError {
  constructor(upstream: string, cause?: unknown) {
    super('UPSTREAM_UNAVAILABLE', `Upstream "${upstream}" is unavailable`, { cause, extensions: { upstream } });
  }
}

export class UpstreamBadResponseError extends GatewayError {
  constructor(upstream: string, reason: string) {
    super('UPSTREAM_BAD_RESPONSE', `Upstream "${upstream}" sent an invalid response: ${reason}`, {
      extensions: { upstream },
    });
  }
}

export class UpstreamTimeoutError extends GatewayError {
  constructor(upstream: string, timeoutMs: number) {
    super('UPSTREAM_TIMEOUT', `Upstream "${upstream}" did not answer within ${timeoutMs} ms`, {
      extensions: { upstream, timeoutMs },
    });
  }
}

export class CircuitOpenError extends GatewayError {
  constructor(upstream: string, retryAfterSeconds: number) {
    super('CIRCUIT_OPEN', `Upstream "${upstream}" is failing; calls are suspended for ${retryAfterSeconds} s`, {
      headers: { 'retry-after': String(retryAfterSeconds) },
      extensions: { upstream, retryAfterSeconds },
    });
  }
}

export class UpstreamOverloadedError extends GatewayError {
  constructor(upstream: string) {
    super('UPSTREAM_OVERLOADED', `Upstream "${upstream}" has too many requests in flight`, {
      headers: { 'retry-after': '1' },
      extensions: { upstream },
    });
  }
}

export class ClientClosedRequestError extends GatewayError {
  constructor() {
    super('CLIENT_CLOSED_REQUEST', 'The client closed the request before it completed');
  }
}

export class ShuttingDownError extends GatewayError {
  constructor() {
    super('SHUTTING_DOWN', 'The gateway is shutting down; retry on another instance', {
      headers: { 'retry-after': '1', connection: 'close' },
    });
  }
}

export class InternalError extends GatewayError {
  constructor(cause?: unknown) {
    super('INTERNAL_SERVER_ERROR', 'Internal server error', { cause });
  }
}

/** Whatever was thrown, a GatewayError to show the client (unknown errors become 500 without details). */
export function toGatewayError(error: unknown): GatewayError {
  return isGatewayError(error) ? error : new InternalError(error);
}
