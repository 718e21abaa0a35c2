import type { CallingClient, RequestContext } from '../context/request-context.ts';
import {
  BadRequestError,
  DocumentNotRegisteredError,
  PersistedQueryNotFoundError,
  PersistedQueryNotSupportedError,
} from '../errors/gateway-error.ts';
import { findSourceViolation, toOperationLimitError } from '../graphql/operation-limits/index.ts';
import type { OperationLimitsConfig } from '../graphql/operation-limits/config.ts';
import type { GraphQLRequestParts } from '../graphql/apollo-http.ts';
import type { ApqStore } from './apq-store.ts';
import { rememberVersionWarning, type ClientVersionPolicy } from './client-policy.ts';
import { resolveCallingClient } from './client-identity.ts';
import type { ClientsConfig, SafelistMode } from './config.ts';
import { documentId } from './documents.ts';
import { normalizedDocumentId, type TrustedDocuments } from './trusted-documents.ts';

/** `graphql_documents_total` outcomes: a bounded set. */
export type DocumentOutcome = 'registered' | 'unregistered' | 'refused' | 'apq_hit' | 'apq_miss' | 'apq_registered' | 'apq_store_error';

export interface DoorDocumentsDeps {
  readonly config: ClientsConfig;
  readonly limits: OperationLimitsConfig;
  readonly documents: TrustedDocuments;
  readonly apq: ApqStore;
  readonly policy: ClientVersionPolicy;
  readonly onDocument: (door: string, client: CallingClient, outcome: DocumentOutcome) => void;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const DOCUMENT_ID = /^(?:sha256:)?([0-9a-f]{64})$/;
const STRICTNESS: Readonly<Record<SafelistMode, number>> = { off: 0, log: 1, enforce: 2 };

type Payload = Record<string, unknown>;

/**
 * The step every GraphQL door runs on a request before its size and token limits and
 * before Apollo sees it (apollo-http.ts `prepare`): who is calling (client-identity.ts)
 * and may that version be served (client-policy.ts); then each operation's document:
 * a registered id (`documentId`, or `extensions.persistedQuery.sha256Hash`) becomes its
 * registered text, an APQ hash its stored text, and a text is checked against the
 * safelist. What leaves here is a plain `{ query, … }`, so the door's limits, Apollo's
 * parsing and validation, and every plugin see the text that will run, however it came.
 */
export function doorDocuments(door: { key: string; path: string; client?: string }, deps: DoorDocumentsDeps): (parts: GraphQLRequestParts, ctx: RequestContext) => Promise<GraphQLRequestParts> {
  const { config } = deps;
  const doorMode = config.safelist.doors[door.key] ?? config.safelist.mode;
  const modeFor = (client: CallingClient): SafelistMode => {
    const own = client.name === undefined ? undefined : config.safelist.clients[client.name];
    if (own === undefined) return doorMode;
    // A header is anyone's word: a client's own mode may only tighten its door's, unless a token vouches for the client.
    if (client.source === 'token') return own;
    return STRICTNESS[own] > STRICTNESS[doorMode] ? own : doorMode;
  };

  const resolveOne = async (op: unknown, client: CallingClient, mode: SafelistMode): Promise<unknown> => {
    if (!isRecord(op)) return op; // Apollo says what is wrong with it
    const payload = op;
    const extensions = payload.extensions;
    const persisted = isRecord(extensions) ? extensions.persistedQuery : undefined;
    const rawId = payload.documentId;
    const query = payload.query;
    if (persisted === undefined && rawId === undefined) {
      if (typeof query === 'string' && mode !== 'off') checkText(query, payload.operationName, client, mode);
      return op;
    }
    const id = persisted !== undefined ? apqHash(persisted) : registeredId(rawId);
    const rest: Payload = { ...payload };
    delete rest.documentId;
    if (persisted !== undefined && isRecord(extensions)) {
      const { persistedQuery: _pq, ...otherExtensions } = extensions;
      if (Object.keys(otherExtensions).length > 0) rest.extensions = otherExtensions;
      else delete rest.extensions;
    }
    const scope = deps.documents.scope(door.path, client);

    if (typeof query === 'string') {
      // Both: the id must be the text's (APQ registration, or a client saying which document it sends).
      if (documentId(query) !== id) throw new BadRequestError('provided sha does not match query');
      refuseOverLimit(query);
      const registered = scope.has(id);
      if (mode !== 'off') count(client, registered ? 'registered' : mode === 'enforce' ? 'refused' : 'unregistered');
      if (!registered && mode === 'enforce') throw new DocumentNotRegisteredError('text', id);
      if (persisted !== undefined && config.apq.enabled && !registered) {
        const stored = await deps.apq.set(id, query);
        count(client, stored ? 'apq_registered' : 'apq_store_error');
      }
      return rest;
    }
    if (query !== undefined && query !== null) return op; // not a string: Apollo's 400

    const body = scope.get(id);
    if (body !== undefined) {
      if (mode !== 'off') count(client, 'registered');
      return { ...rest, query: body };
    }
    if (mode === 'enforce') {
      count(client, 'refused');
      throw new DocumentNotRegisteredError('id', id);
    }
    if (persisted === undefined) {
      if (mode !== 'off') count(client, 'unregistered');
      throw new DocumentNotRegisteredError('id', id);
    }
    if (!config.apq.enabled) throw new PersistedQueryNotSupportedError();
    const found = await deps.apq.get(id);
    if (found.text === undefined) {
      count(client, found.storeError ? 'apq_store_error' : 'apq_miss');
      throw new PersistedQueryNotFoundError();
    }
    count(client, 'apq_hit');
    if (mode === 'log') count(client, 'unregistered');
    return { ...rest, query: found.text };
  };

  const checkText = (query: string, operationName: unknown, client: CallingClient, mode: SafelistMode): void => {
    const scope = deps.documents.scope(door.path, client);
    let registered = scope.has(documentId(query));
    if (!registered) {
      // Parsing is the costly path: only within the door's limits (checked again on the way out, unchanged).
      refuseOverLimit(query);
      const normalized = normalizedDocumentId(query, operationName, deps.limits.maxTokens);
      registered = normalized !== undefined && scope.has(normalized);
    }
    count(client, registered ? 'registered' : mode === 'enforce' ? 'refused' : 'unregistered');
    if (!registered && mode === 'enforce') throw new DocumentNotRegisteredError('text', documentId(query));
  };

  const refuseOverLimit = (query: string): void => {
    const violation = findSourceViolation(query, deps.limits);
    if (violation) throw toOperationLimitError(violation);
  };
  const count = (client: CallingClient, outcome: DocumentOutcome): void => deps.onDocument(door.key, client, outcome);

  return async (parts, ctx) => {
    const client = resolveCallingClient(ctx, config.identity, door.client);
    ctx.client = client;
    const decision = deps.policy.decide(client);
    if (decision.action === 'warn') rememberVersionWarning(ctx, decision.warning);
    const mode = modeFor(client);

    if (parts.method === 'POST') {
      const body = Array.isArray(parts.body)
        ? await Promise.all(parts.body.map((op: unknown) => resolveOne(op, client, mode)))
        : await resolveOne(parts.body, client, mode);
      return { ...parts, body };
    }
    const params = new URLSearchParams(parts.search);
    const op = getOperation(params);
    if (!op) return parts;
    const resolved = await resolveOne(op, client, mode);
    if (resolved === op || !isRecord(resolved)) return parts;
    const out = resolved;
    params.delete('documentId');
    if (typeof out.query === 'string') params.set('query', out.query);
    if (out.extensions === undefined) params.delete('extensions');
    else params.set('extensions', JSON.stringify(out.extensions));
    return { ...parts, search: params.toString() };
  };
}

/** A GET's operation as a POST body would carry it; undefined when Apollo should judge the parameters as they are. */
function getOperation(params: URLSearchParams): Payload | undefined {
  const op: Payload = {};
  const query = params.getAll('query');
  const ids = params.getAll('documentId');
  const extensions = params.getAll('extensions');
  if (query.length > 1 || ids.length > 1 || extensions.length > 1) return undefined;
  if (query[0] !== undefined) op.query = query[0];
  if (ids[0] !== undefined) op.documentId = ids[0];
  const operationName = params.get('operationName');
  if (operationName !== null) op.operationName = operationName;
  if (extensions[0] !== undefined) {
    try {
      const parsed: unknown = JSON.parse(extensions[0]);
      if (!isRecord(parsed)) return undefined;
      op.extensions = parsed;
    } catch {
      return undefined;
    }
  }
  return op;
}

/** `extensions.persistedQuery`, Apollo's shape (version 1); what Apollo Server answered for bad ones, kept. */
function apqHash(persisted: unknown): string {
  if (typeof persisted !== 'object' || persisted === null || !('version' in persisted) || persisted.version !== 1) {
    throw new BadRequestError('Unsupported persisted query version');
  }
  const hash = 'sha256Hash' in persisted ? persisted.sha256Hash : undefined;
  if (typeof hash !== 'string' || !SHA256_HEX.test(hash.toLowerCase())) throw new BadRequestError('extensions.persistedQuery.sha256Hash must be a SHA-256 digest in hex');
  return hash.toLowerCase();
}

/** GraphQL over HTTP's `documentId`: `sha256:<hex>` (or the bare hex, as Apollo's manifests name ids). */
function registeredId(raw: unknown): string {
  const match = typeof raw === 'string' ? DOCUMENT_ID.exec(raw.toLowerCase()) : null;
  if (!match?.[1]) throw new BadRequestError('documentId must be "sha256:" and a SHA-256 digest in hex');
  return match[1];
}

function isRecord(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
