import { errorCodes, type ErrorCode } from './codes.ts';
import { boundMessage, quoteClientText } from './client-text.ts';

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
    // Bounded whatever a subclass quoted into it (client-text.ts).
    super(boundMessage(message), options.cause === undefined ? undefined : { cause: options.cause });
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
      `Content-Type ${contentType ? quoteClientText(contentType) : '(none)'} is not supported; send application/json`,
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
    super('NOT_FOUND', `No route matches ${quoteClientText(path, 256)}`);
  }
}

export class MethodNotAllowedError extends GatewayError {
  constructor(method: string, allowed: readonly string[]) {
    super('METHOD_NOT_ALLOWED', `Method ${method} is not allowed here; allowed: ${allowed.join(', ')}`, {
      headers: { allow: allowed.join(', ') },
    });
  }
}

/**
 * Why a caller could not be authenticated: a stable machine value in `extensions.reason`,
 * so clients (and tests) can tell "refresh your token" from "your IdP is misconfigured".
 */
export type AuthFailureReason =
  /** No credentials, where the route needs some. */
  | 'missing_credentials'
  /** Not a JWT at all, or an Authorization header that is not `Bearer <token>`. */
  | 'malformed_token'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'invalid_issuer'
  | 'invalid_audience'
  /** A claim the gateway requires (`exp`, `sub`) is absent; `extensions.claim` names it. */
  | 'missing_claim'
  /** A claim has the wrong type or value; `extensions.claim` names it. */
  | 'invalid_claim'
  /** No key in the trusted key set has the token's `kid` (or several do). */
  | 'unknown_key'
  | 'invalid_signature'
  /** `alg` is not on the allow-list (`none`, HS*, or simply not configured). */
  | 'algorithm_not_allowed'
  /** The key set could not be fetched and no cached key matches. */
  | 'jwks_unavailable'
  | 'invalid_api_key';

export interface UnauthenticatedOptions {
  /** The claim a `missing_claim` / `invalid_claim` failure is about. */
  claim?: string;
  /** Which credential failed; decides the `WWW-Authenticate` challenge. Default `Bearer`. */
  scheme?: 'Bearer' | 'ApiKey';
  cause?: unknown;
}

export const AUTH_REALM = 'bff-gateway';

/**
 * 401. Carries an RFC 6750 `WWW-Authenticate` challenge for REST doors: a bare challenge
 * when credentials are missing, `error="invalid_token"` when a presented token failed.
 */
export class UnauthenticatedError extends GatewayError {
  readonly reason: AuthFailureReason;

  constructor(reason: AuthFailureReason, message: string, options: UnauthenticatedOptions = {}) {
    super('UNAUTHENTICATED', message, {
      cause: options.cause,
      headers: { 'www-authenticate': authChallenge(reason, message, options.scheme ?? 'Bearer') },
      extensions: { reason, ...(options.claim === undefined ? {} : { claim: options.claim }) },
    });
    this.reason = reason;
  }
}

function authChallenge(reason: AuthFailureReason, message: string, scheme: 'Bearer' | 'ApiKey'): string {
  const realm = `${scheme} realm="${AUTH_REALM}"`;
  if (reason === 'missing_credentials') return realm;
  if (scheme === 'ApiKey') return `${realm}, error="invalid_key"`;
  // error_description is a quoted-string limited to %x20-21 / %x23-5B / %x5D-7E (RFC 6750 §3).
  const description = message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '');
  return `${realm}, error="invalid_token", error_description="${description}"`;
}

/** Why an authenticated caller was refused. */
export type ForbiddenReason = 'insufficient_scope' | 'missing_role' | 'route_not_allowed';

export interface ForbiddenDetails {
  reason: ForbiddenReason;
  /** For `insufficient_scope`: any one of these scope sets would do. */
  requiredScopes?: ReadonlyArray<readonly string[]>;
  /** For `missing_role`: any one of these roles would do. */
  requiredRoles?: readonly string[];
  /** For `route_not_allowed`: the route the API key is not allowed on. */
  route?: string;
}

/** 403: the caller is known but lacks a scope, a role, or (API keys) the route. */
export class ForbiddenError extends GatewayError {
  readonly reason: ForbiddenReason;

  constructor(details: ForbiddenDetails) {
    const { reason, requiredScopes, requiredRoles, route } = details;
    const message =
      reason === 'insufficient_scope'
        ? `Missing scope: requires ${(requiredScopes ?? []).map((set) => `"${set.join(' ')}"`).join(' or ')}`
        : reason === 'missing_role'
          ? `Missing role: requires one of ${(requiredRoles ?? []).join(', ')}`
          : `This API key is not allowed on route "${route ?? ''}"`;
    const firstScopes = requiredScopes?.[0];
    super('FORBIDDEN', message, {
      headers:
        reason === 'insufficient_scope' && firstScopes
          ? { 'www-authenticate': `Bearer realm="${AUTH_REALM}", error="insufficient_scope", scope="${firstScopes.join(' ')}"` }
          : {},
      extensions: {
        reason,
        ...(requiredScopes === undefined ? {} : { requiredScopes }),
        ...(requiredRoles === undefined ? {} : { requiredRoles }),
        ...(route === undefined ? {} : { route }),
      },
    });
    this.reason = reason;
  }
}

/**
 * A field or type on /graphql the caller may not see (`@authenticated`, `@requiresScopes` in
 * the supergraph): taken out before planning and answered `null` with this error at its
 * path, as Apollo Router does, or the whole request refused (`auth.graphql.unauthorized:
 * reject`). Code and details are the access refusal's: UNAUTHENTICATED
 * (`missing_credentials`) or FORBIDDEN (`insufficient_scope`, `requiredScopes`).
 */
export class UnauthorizedFieldError extends GatewayError {
  constructor(refusal: UnauthenticatedError | ForbiddenError, coordinate: string) {
    super(refusal.code, 'Unauthorized field or type', { headers: refusal.headers, extensions: { ...refusal.extensions, coordinate }, cause: refusal });
  }
}

export class UpstreamUnavailableError extends GatewayError {
  constructor(upstream: string, cause?: unknown) {
    super('UPSTREAM_UNAVAILABLE', `Upstream "${upstream}" is unavailable`, { cause, extensions: { upstream } });
  }
}

export class UpstreamBadResponseError extends GatewayError {
  /**
   * The status of the answer whose body was refused, when there was one: a 503 with a body
   * that is not GraphQL is still a 503 to the retry policy. Not sent to clients.
   */
  readonly answerStatus: number | undefined;

  constructor(upstream: string, reason: string, answerStatus?: number) {
    super('UPSTREAM_BAD_RESPONSE', `Upstream "${upstream}" sent an invalid response: ${reason}`, {
      extensions: { upstream },
    });
    this.answerStatus = answerStatus;
  }
}

/** An answer's body past the upstream's `maxResponseBytes`: cut there, never read whole. */
export class UpstreamResponseTooLargeError extends GatewayError {
  constructor(upstream: string, limitBytes: number) {
    super('UPSTREAM_RESPONSE_TOO_LARGE', `Upstream "${upstream}" sent an answer larger than the limit of ${limitBytes} bytes`, {
      extensions: { upstream, limitBytes },
    });
  }
}

/**
 * Which limit cut a call: the attempt's `timeoutMs`, the inbound request's deadline, or
 * (streamed bodies) the longest idle gap allowed between two chunks.
 */
export type UpstreamTimeoutLimit = 'attempt' | 'deadline' | 'bodyIdle';

const TIMEOUT_WORDING: Readonly<Record<UpstreamTimeoutLimit, string>> = {
  attempt: 'its timeout',
  deadline: "the request's deadline",
  bodyIdle: 'its idle limit between body chunks',
};

export class UpstreamTimeoutError extends GatewayError {
  readonly limit: UpstreamTimeoutLimit;

  constructor(upstream: string, timeoutMs: number, limit: UpstreamTimeoutLimit = 'attempt') {
    super('UPSTREAM_TIMEOUT', `Upstream "${upstream}" did not answer within ${TIMEOUT_WORDING[limit]} of ${timeoutMs} ms`, {
      extensions: { upstream, timeoutMs, limit },
    });
    this.limit = limit;
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

export interface RateLimitedDetails {
  /** Seconds until a retry can succeed (`Retry-After`). */
  retryAfterSeconds: number;
  /** `RateLimit-*` (and `Retry-After`) headers, as the limiter computed them. */
  headers?: Record<string, string>;
  /** `limit-exceeded` normally; `store-unavailable` when a fail-closed limiter could not decide. */
  reason?: 'limit-exceeded' | 'store-unavailable';
  /** What was limited: `global`, `door:<door>`, `route:<name>`, `expensive` or `field:<name>`. */
  scope?: string;
}

/** 429: the caller spent its quota (or, fail-closed, the quota could not be checked). */
export class RateLimitedError extends GatewayError {
  constructor(details: RateLimitedDetails) {
    const retryAfter = String(Math.max(1, Math.ceil(details.retryAfterSeconds)));
    const unavailable = details.reason === 'store-unavailable';
    super(
      'RATE_LIMITED',
      unavailable
        ? `Rate limit could not be checked; retry in ${retryAfter} s`
        : `Rate limit exceeded; retry in ${retryAfter} s`,
      {
        headers: { ...details.headers, 'retry-after': retryAfter },
        extensions: {
          retryAfterSeconds: Number(retryAfter),
          reason: details.reason ?? 'limit-exceeded',
          ...(details.scope === undefined ? {} : { scope: details.scope }),
        },
      },
    );
  }
}

/** Which operation limit a GraphQL document broke. */
export type OperationLimitName =
  | 'maxDocumentBytes'
  | 'maxTokens'
  | 'maxDepth'
  | 'maxAliases'
  | 'maxRootFields'
  | 'maxCost'
  | 'batching'
  | 'maxOperations'
  | 'maxJsonDepth';

/** 400: the document is too big, deep, wide or costly to run; `extensions` name the limit. */
export class OperationLimitError extends GatewayError {
  readonly limit: OperationLimitName;
  readonly value: number;
  readonly max: number;

  constructor(limit: OperationLimitName, value: number, max: number, message: string) {
    super('OPERATION_LIMIT_EXCEEDED', message, { extensions: { limit, value, max } });
    this.limit = limit;
    this.value = value;
    this.max = max;
  }
}

/**
 * 400: the request's `operationName` selects no operation of its document: it names none
 * of them, or it is missing where the document has several (graphql-js's "Unknown
 * operation named", which Apollo answers as a 500 under a gateway).
 */
export class InvalidOperationNameError extends GatewayError {
  constructor(operationName: string | null | undefined, operationCount: number) {
    super(
      'INVALID_OPERATION_NAME',
      operationName === null || operationName === undefined
        ? `The document has ${operationCount} operations; send operationName to choose one`
        : `The document has no operation named ${quoteClientText(operationName)}`,
    );
  }
}

/** The safelist is enforced and the document is not one registered for the door (gateway/clients/). */
export class DocumentNotRegisteredError extends GatewayError {
  constructor(how: 'id' | 'text', id: string) {
    super(
      'DOCUMENT_NOT_REGISTERED',
      how === 'id'
        ? `No document registered for this client has the id ${quoteClientText(id, 80)}`
        : 'This document is not registered for this client; only registered documents run here',
      { extensions: { documentId: id.slice(0, 80) } },
    );
  }
}

/**
 * An APQ hash not known here. The message is Apollo's, since Apollo clients match on it as
 * well as on the code, and the answer must not be cached (a retry with the text follows).
 */
export class PersistedQueryNotFoundError extends GatewayError {
  constructor() {
    super('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound', { headers: { 'cache-control': 'private, no-cache, must-revalidate' } });
  }
}

export class PersistedQueryNotSupportedError extends GatewayError {
  constructor() {
    super('PERSISTED_QUERY_NOT_SUPPORTED', 'PersistedQueryNotSupported', { headers: { 'cache-control': 'private, no-cache, must-revalidate' } });
  }
}

/** The version policy denies this version: `message` is the configured text the app shows its user. */
export class ClientVersionUnsupportedError extends GatewayError {
  constructor(client: string, version: string | undefined, message: string, sunset?: string) {
    super('CLIENT_VERSION_UNSUPPORTED', message, {
      extensions: { client, ...(version === undefined ? {} : { version: version.slice(0, 64) }) },
      ...(sunset === undefined ? {} : { headers: { sunset } }),
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
