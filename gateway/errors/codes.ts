/**
 * The one registry of error codes the gateway speaks. Clients, policies and tests
 * match on `code`, never on message text; the HTTP status lives beside the code so
 * REST (problem+json) and GraphQL (`extensions.http.status`) can never disagree.
 */
export const errorCodes = {
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  BAD_USER_INPUT: { status: 400, title: 'Invalid input' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  OPERATION_LIMIT_EXCEEDED: { status: 400, title: 'Operation limit exceeded' },
  INVALID_OPERATION_NAME: { status: 400, title: 'operationName selects no operation' },
  /** The safelist is enforced and the document (by id or text) is not registered for this door and client version. */
  DOCUMENT_NOT_REGISTERED: { status: 400, title: 'Document not registered' },
  /**
   * An APQ hash the gateway does not know: Apollo's protocol step asking for the text, so
   * 200 as Apollo Server and Router answer it (Apollo Client turns APQ off for good on a 400,
   * Apollo Kotlin and iOS do not retry on a non-2xx).
   */
  PERSISTED_QUERY_NOT_FOUND: { status: 200, title: 'Persisted query not found' },
  /** APQ is turned off (`clients.apq.enabled: false`); 200 for the same reason, so clients send texts. */
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 200, title: 'Persisted queries not supported' },
  /** The version policy denies this client version (a hard sunset); the message is the one configured for the app to show. */
  CLIENT_VERSION_UNSUPPORTED: { status: 400, title: 'Client version no longer supported' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  UPSTREAM_UNAVAILABLE: { status: 502, title: 'Upstream unavailable' },
  UPSTREAM_BAD_RESPONSE: { status: 502, title: 'Upstream sent an invalid response' },
  UPSTREAM_RESPONSE_TOO_LARGE: { status: 502, title: 'Upstream answer too large' },
  CIRCUIT_OPEN: { status: 503, title: 'Upstream circuit open' },
  UPSTREAM_OVERLOADED: { status: 503, title: 'Upstream concurrency limit reached' },
  SHUTTING_DOWN: { status: 503, title: 'Gateway is shutting down' },
  NOT_READY: { status: 503, title: 'Gateway is not ready' },
  UPSTREAM_TIMEOUT: { status: 504, title: 'Upstream timed out' },
  /** nginx's 499: the client went away; logged, never sent. */
  CLIENT_CLOSED_REQUEST: { status: 499, title: 'Client closed request' },
  INTERNAL_SERVER_ERROR: { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}
