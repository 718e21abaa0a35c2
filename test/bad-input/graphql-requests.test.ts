import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../gateway/auth/index.ts';
import { errorCodes } from '../../gateway/errors/codes.ts';
import { MAX_MESSAGE_CHARS } from '../../gateway/errors/client-text.ts';
import { captureLog, type CapturedLog } from '../helpers/log-capture.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { rawRequest } from '../helpers/upstream-raw-http.ts';

/**
 * Malformed GraphQL requests, on every GraphQL door (`/graphql` and each BFF), with the
 * default limits: each gets a 4xx with a stable code, the same on every door, a bounded
 * answer (client text echoed in a message is cut short), nothing logged at error level,
 * and the gateway keeps serving.
 */

/** Codes Apollo Server itself gives GraphQL-level refusals: stable, documented by Apollo, and what Apollo clients match. */
const APOLLO_CODES = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED'];
const STABLE_CODES = new Set([...Object.keys(errorCodes), ...APOLLO_CODES]);
/** Larger than any refusal should be, far smaller than the inputs that used to come back whole. */
const MAX_ANSWER_BYTES = 4096;

interface BadInput {
  readonly name: string;
  /** A POST body (serialised as given when a string) or, for `get`, the query string. */
  readonly body?: unknown;
  readonly get?: string;
  readonly contentType?: string;
  readonly status: number;
  readonly code: string;
}

const longName = 'x'.repeat(100_000);
const deepArray = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const BAD_INPUTS: readonly BadInput[] = [
  // operationName that selects no operation: a 500 INVALID_GRAPHQL with the name echoed whole, before.
  { name: 'unknown operationName', body: { query: 'query A { __typename }', operationName: 'B' }, status: 400, code: 'INVALID_OPERATION_NAME' },
  { name: 'operationName with a NUL byte', body: { query: 'query A { __typename }', operationName: 'A\u0000' }, status: 400, code: 'INVALID_OPERATION_NAME' },
  { name: '100 KB operationName', body: { query: 'query A { __typename }', operationName: longName }, status: 400, code: 'INVALID_OPERATION_NAME' },
  { name: 'several operations, no operationName', body: { query: 'query A { __typename } query B { __typename }' }, status: 400, code: 'INVALID_OPERATION_NAME' },
  { name: 'several operations, an unknown operationName', body: { query: 'query A { __typename } query B { __typename }', operationName: 'C' }, status: 400, code: 'INVALID_OPERATION_NAME' },
  { name: 'empty operationName', body: { query: 'query A { __typename }', operationName: '' }, status: 400, code: 'INVALID_OPERATION_NAME' },
  { name: 'operationName a number', body: { query: '{ __typename }', operationName: 5 }, status: 400, code: 'BAD_REQUEST' },
  { name: 'operationName an object', body: { query: '{ __typename }', operationName: {} }, status: 400, code: 'BAD_REQUEST' },
  // variables and extensions
  { name: 'a variable of the wrong type (100 KB of it)', body: { query: 'query Q($b: Boolean!) { __typename @include(if: $b) }', variables: { b: longName } }, status: 400, code: 'BAD_USER_INPUT' },
  { name: 'a required variable missing', body: { query: 'query Q($b: Boolean!) { __typename @include(if: $b) }' }, status: 400, code: 'BAD_USER_INPUT' },
  { name: 'variables a string', body: { query: '{ __typename }', variables: '{"a":1}' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'variables an array', body: { query: '{ __typename }', variables: [1] }, status: 400, code: 'BAD_REQUEST' },
  { name: 'variables a number', body: { query: '{ __typename }', variables: 1 }, status: 400, code: 'BAD_REQUEST' },
  { name: 'extensions a string', body: { query: '{ __typename }', extensions: 'x' }, status: 400, code: 'BAD_REQUEST' },
  { name: 'extensions an array', body: { query: '{ __typename }', extensions: [] }, status: 400, code: 'BAD_REQUEST' },
  { name: 'variables nested 5,000 deep', body: `{"query":"{ __typename }","variables":{"a":${deepArray(5000)}}}`, status: 400, code: 'OPERATION_LIMIT_EXCEEDED' },
  { name: 'extensions nested 5,000 deep', body: `{"query":"{ __typename }","extensions":{"a":${deepArray(5000)}}}`, status: 400, code: 'OPERATION_LIMIT_EXCEEDED' },
  // query
  { name: 'query a number', body: { query: 5 }, status: 400, code: 'BAD_REQUEST' },
  { name: 'query an object', body: { query: { a: 1 } }, status: 400, code: 'BAD_REQUEST' },
  { name: 'no query', body: { variables: {} }, status: 400, code: 'BAD_REQUEST' },
  { name: 'a syntax error', body: { query: '{ __typename' }, status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'a 60 KB unknown field name', body: { query: `{ ${'f'.repeat(60_000)} }` }, status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'a subscription (no door serves them)', body: { query: 'subscription { __typename }' }, status: 400, code: 'BAD_REQUEST' },
  // the body
  { name: 'a batch (batching is off)', body: [{ query: '{ __typename }' }, { query: '{ __typename }' }], status: 400, code: 'OPERATION_LIMIT_EXCEEDED' },
  { name: 'an empty batch', body: [], status: 400, code: 'OPERATION_LIMIT_EXCEEDED' },
  { name: 'body null', body: 'null', status: 400, code: 'BAD_REQUEST' },
  { name: 'body a string', body: '"{ __typename }"', status: 400, code: 'BAD_REQUEST' },
  { name: 'body a number', body: '5', status: 400, code: 'BAD_REQUEST' },
  { name: 'malformed JSON', body: '{"query": "{ __typename }"', status: 400, code: 'MALFORMED_JSON' },
  { name: 'not JSON', body: '{ __typename }', contentType: 'text/plain', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'a 10 KB content type', body: '{}', contentType: `application/x-${'y'.repeat(10_000)}`, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  // persisted queries
  { name: 'an unsupported persisted-query version', body: { extensions: { persistedQuery: { version: 2, sha256Hash: 'abc' } } }, status: 400, code: 'BAD_REQUEST' },
  { name: 'a persisted-query hash that does not match', body: { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }, status: 400, code: 'BAD_REQUEST' },
  // GET
  { name: 'GET with a mutation', get: 'query=mutation%20%7B%20__typename%20%7D', status: 405, code: 'BAD_REQUEST' },
  { name: 'GET with no query', get: '', status: 400, code: 'BAD_REQUEST' },
  { name: 'GET with variables that are not JSON', get: 'query=%7B__typename%7D&variables=abc', status: 400, code: 'BAD_REQUEST' },
  { name: 'GET with variables an array', get: 'query=%7B__typename%7D&variables=%5B1%5D', status: 400, code: 'BAD_REQUEST' },
  { name: 'GET with an unknown operationName', get: `query=query%20A%7B__typename%7D&operationName=${'z'.repeat(4000)}`, status: 400, code: 'INVALID_OPERATION_NAME' },
  { name: 'GET with variables nested 2,000 deep', get: `query=%7B__typename%7D&variables=${encodeURIComponent(`{"a":${deepArray(2000)}}`)}`, status: 400, code: 'OPERATION_LIMIT_EXCEEDED' },
  { name: 'GET with the query twice', get: 'query=%7B__typename%7D&query=%7B__typename%7D', status: 400, code: 'BAD_REQUEST' },
];

describe('bad GraphQL requests on every GraphQL door', () => {
  let stack: Stack;
  let captured: CapturedLog;
  const doors: Array<{ path: string; token: string }> = [];

  beforeAll(async () => {
    captured = captureLog();
    stack = await startStack({ log: { level: 'info' } }, { log: captured.log });
    const user = await signDevToken({ sub: 'u1' });
    const admin = await signDevToken({ sub: 'admin-1', roles: ['admin'] });
    doors.push(
      { path: '/graphql', token: '' },
      { path: '/bff/web/graphql', token: user },
      { path: '/bff/mobile/graphql', token: user },
      { path: '/bff/admin/graphql', token: admin },
    );
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const send = async (door: { path: string; token: string }, input: BadInput) => {
    const auth: Record<string, string> = door.token ? { authorization: `Bearer ${door.token}` } : {};
    const res =
      input.get !== undefined
        ? await fetch(`${stack.gateway.url}${door.path}?${input.get}`, { headers: { ...auth, 'apollo-require-preflight': 'true' } })
        : await fetch(`${stack.gateway.url}${door.path}`, {
            method: 'POST',
            headers: { ...auth, 'content-type': input.contentType ?? 'application/json' },
            body: typeof input.body === 'string' ? input.body : JSON.stringify(input.body),
          });
    const text = await res.text();
    const body = JSON.parse(text) as { errors?: Array<{ message: string; extensions?: { code?: string } }> };
    return { status: res.status, bytes: Buffer.byteLength(text), errors: body.errors ?? [] };
  };

  it.each(BAD_INPUTS)('$name → $status $code on every door, bounded', async (input) => {
    for (const door of doors) {
      const answer = await send(door, input);
      expect({ door: door.path, status: answer.status, code: answer.errors[0]?.extensions?.code }).toEqual({ door: door.path, status: input.status, code: input.code });
      for (const error of answer.errors) {
        expect(STABLE_CODES.has(error.extensions?.code ?? '')).toBe(true);
        expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
        // A NUL is escaped in the message, never sent raw.
        expect(error.message).not.toContain('\u0000');
      }
      expect(answer.bytes).toBeLessThan(MAX_ANSWER_BYTES);
    }
  });

  it('an unknown operationName says which name, cut short', async () => {
    const answer = await send(doors[0]!, BAD_INPUTS.find((i) => i.name === '100 KB operationName')!);
    expect(answer.errors[0]?.message).toBe(`The document has no operation named "${'x'.repeat(64)}"… (100000 characters)`);
  });

  it('a chunked body whose framing breaks mid-way is the client going away, not an error of ours', async () => {
    for (const door of doors) {
      const res = await rawRequest(
        stack.gateway.url,
        `POST ${door.path} HTTP/1.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked${door.token ? `\r\nauthorization: Bearer ${door.token}` : ''}`,
        '5\r\n{"que\r\nzz-not-a-chunk-size\r\n',
      );
      expect(res.status).toBe(400);
    }
  });

  it('nothing was logged at error level, and the gateway still serves', async () => {
    expect(captured.errors()).toEqual([]);
    expect((await fetch(`${stack.gateway.url}/healthz`)).status).toBe(200);
    const ok = await fetch(`${stack.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(await ok.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
