import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../../../gateway/auth/index.ts';
import { documentId } from '../../../gateway/clients/documents.ts';
import { findClient, loadClientRegistry, type RegisteredOperation } from '../../../gateway/clients/registry.ts';
import { sampleSum, scrape } from '../../helpers/prometheus-text.ts';
import { startStack, type Stack } from '../../helpers/stack.ts';

/** The repository's own registry (schema/clients/): the documents the doors serve. */
async function registered(client: string, version: string, name: string): Promise<RegisteredOperation> {
  const registry = await loadClientRegistry({ root: process.cwd() });
  const op = findClient(registry, client)?.versions.find((v) => v.version === version)?.operations.find((o) => o.name === name);
  if (!op) throw new Error(`${client} ${version} registers no ${name}`);
  return op;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }>; extensions?: Record<string, unknown> };
  return { status: res.status, headers: res.headers, json, code: json.errors?.[0]?.extensions?.code };
}

const UNREGISTERED = 'query Sneaky { topProducts(first: 1) { id name } }';

describe('safelist enforce on /graphql and a BFF door', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack({ clients: { safelist: { mode: 'enforce' } } });
    token = await signDevToken({ sub: 'u1' });
  });
  afterAll(() => stack?.close());

  it('runs a registered /graphql document by id (APQ shape and documentId) and by text; refuses an unregistered one', async () => {
    const op = await registered('web-graphql', '1.0', 'TopProducts');
    const url = `${stack.gateway.url}/graphql`;
    const headers = { 'apollographql-client-name': 'web-graphql', 'apollographql-client-version': '1.0' };
    const variables = { first: 2 };
    const byHash = await post(url, { extensions: { persistedQuery: { version: 1, sha256Hash: op.id } }, variables }, headers);
    expect(byHash.status, JSON.stringify(byHash.json)).toBe(200);
    expect(byHash.json.errors).toBeUndefined();
    expect(byHash.json.data).toHaveProperty('topProducts');
    const byDocumentId = await post(url, { documentId: `sha256:${op.id}`, variables });
    expect(byDocumentId.json).toEqual(byHash.json);
    const byText = await post(url, { query: op.body, variables }, headers);
    expect(byText.json).toEqual(byHash.json);
    // The same operation, formatted differently (one line, a comment): the same document.
    const reformatted = `# from the app\n${op.body.replace(/\s+/g, ' ')}`;
    expect(documentId(reformatted)).not.toBe(op.id);
    expect((await post(url, { query: reformatted, variables })).json).toEqual(byHash.json);

    const text = await post(url, { query: UNREGISTERED });
    expect([text.status, text.code]).toEqual([400, 'DOCUMENT_NOT_REGISTERED']);
    const id = await post(url, { extensions: { persistedQuery: { version: 1, sha256Hash: documentId(UNREGISTERED) } } });
    expect([id.status, id.code]).toEqual([400, 'DOCUMENT_NOT_REGISTERED']);
    // APQ registration of an unregistered document is refused, and nothing was stored.
    const register = await post(url, { query: UNREGISTERED, extensions: { persistedQuery: { version: 1, sha256Hash: documentId(UNREGISTERED) } } });
    expect([register.status, register.code]).toEqual([400, 'DOCUMENT_NOT_REGISTERED']);
  });

  it('on /bff/mobile/graphql: mobile 1.0 runs its document by id and by text, not 2.0\'s nor an unregistered one', async () => {
    const home1 = await registered('mobile', '1.0', 'MobileHome');
    const home2 = await registered('mobile', '2.0', 'MobileHome');
    expect(home1.id).not.toBe(home2.id);
    const url = `${stack.gateway.url}/bff/mobile/graphql`;
    const headers = { authorization: `Bearer ${token}`, 'apollographql-client-name': 'mobile', 'apollographql-client-version': '1.0' };
    const byId = await post(url, { documentId: home1.id }, headers);
    expect(byId.status, JSON.stringify(byId.json)).toBe(200);
    expect(byId.json.data).toHaveProperty('home');
    const byText = await post(url, { query: home1.body }, headers);
    expect(byText.json).toEqual(byId.json);
    const otherVersion = await post(url, { documentId: home2.id }, headers);
    expect([otherVersion.status, otherVersion.code]).toEqual([400, 'DOCUMENT_NOT_REGISTERED']);
    const unknown = await post(url, { query: 'query X { home { unreadNotifications } }' }, headers);
    expect([unknown.status, unknown.code]).toEqual([400, 'DOCUMENT_NOT_REGISTERED']);
    // Without a version, any listed version of the door's clients runs.
    expect((await post(url, { documentId: home2.id }, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('a registered text still goes through the operation limits', async () => {
    const op = await registered('web-graphql', '1.0', 'TopProducts');
    const tight = await startStack({ clients: { safelist: { mode: 'enforce' } }, operationLimits: { maxDepth: 1 } });
    try {
      const res = await post(`${tight.gateway.url}/graphql`, { documentId: op.id, variables: { first: 1 } });
      expect([res.status, res.code]).toEqual([400, 'OPERATION_LIMIT_EXCEEDED']);
    } finally {
      await tight.close();
    }
  });
});

describe('safelist log, APQ in memory and the version policy', () => {
  let stack: Stack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack({
      server: { allowGetQueries: true },
      clients: {
        safelist: { mode: 'log' },
        versions: [
          { client: 'mobile', range: '<1.0.0', action: 'deny', message: 'Please update the app to keep using it', sunset: '2025-01-01' },
          { client: 'mobile', range: '1.x', action: 'warn', message: 'Mobile 1.x stops working on 1 July', sunset: '2030-07-01' },
        ],
      },
    });
    token = await signDevToken({ sub: 'u1' });
  });
  afterAll(() => stack?.close());

  it('runs an unregistered document and counts it in /metrics', async () => {
    const before = sampleSum(await scrape(stack.gateway.url), 'graphql_documents_total', { door: 'graphql', outcome: 'unregistered' });
    const res = await post(`${stack.gateway.url}/graphql`, { query: UNREGISTERED });
    expect(res.status).toBe(200);
    expect(res.json.data).toHaveProperty('topProducts');
    const families = await scrape(stack.gateway.url);
    expect(sampleSum(families, 'graphql_documents_total', { door: 'graphql', outcome: 'unregistered' })).toBe(before + 1);
    const op = await registered('web-graphql', '1.0', 'TopProducts');
    await post(`${stack.gateway.url}/graphql`, { documentId: op.id, variables: { first: 1 } }, { 'apollographql-client-name': 'web-graphql', 'apollographql-client-version': '1.0' });
    const after = await scrape(stack.gateway.url);
    expect(sampleSum(after, 'graphql_documents_total', { door: 'graphql', client: 'web-graphql', outcome: 'registered' })).toBe(1);
    expect(sampleSum(after, 'http_server_requests_total', { door: 'graphql', client: 'web-graphql', client_version: '1.0' })).toBe(1);
  });

  it('APQ: an unknown hash gets PERSISTED_QUERY_NOT_FOUND (Apollo\'s retry signal), the text registers it, the hash then runs', async () => {
    const query = `query Apq${Date.now()} { topProducts(first: 1) { id } }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: documentId(query) } };
    const url = `${stack.gateway.url}/graphql`;
    const miss = await post(url, { extensions });
    expect([miss.status, miss.code, miss.json.errors?.[0]?.message]).toEqual([200, 'PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound']);
    const register = await post(url, { query, extensions });
    expect(register.json.errors).toBeUndefined();
    const hit = await post(url, { extensions });
    expect(hit.json).toEqual(register.json);
    // GET, as CDN-friendly APQ clients send it.
    const get = await fetch(`${url}?extensions=${encodeURIComponent(JSON.stringify(extensions))}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await get.json()).toEqual(register.json);
  });

  it('denies, warns or serves by client version', async () => {
    const op = await registered('mobile', '1.0', 'MobileHome');
    const url = `${stack.gateway.url}/bff/mobile/graphql`;
    const as = (version: string) => ({ authorization: `Bearer ${token}`, 'apollographql-client-name': 'mobile', 'apollographql-client-version': version });
    const denied = await post(url, { query: op.body }, as('0.9.3'));
    expect([denied.status, denied.code, denied.json.errors?.[0]?.message]).toEqual([400, 'CLIENT_VERSION_UNSUPPORTED', 'Please update the app to keep using it']);
    expect(denied.headers.get('sunset')).toBe(new Date('2025-01-01').toUTCString());
    const warned = await post(url, { query: op.body }, as('1.0'));
    expect(warned.status).toBe(200);
    expect(warned.json.data).toHaveProperty('home');
    expect(warned.json.extensions?.clientVersion).toMatchObject({ status: 'deprecated', client: 'mobile', version: '1.0', message: 'Mobile 1.x stops working on 1 July' });
    expect(warned.headers.get('x-client-version-warning')).toBe('Mobile 1.x stops working on 1 July');
    const allowed = await post(url, { query: op.body }, as('2.0'));
    expect(allowed.status).toBe(200);
    expect(allowed.json.data).toHaveProperty('home');
    expect(allowed.json.extensions?.clientVersion).toBeUndefined();
    expect(allowed.headers.get('x-client-version-warning')).toBeNull();
  });
});
