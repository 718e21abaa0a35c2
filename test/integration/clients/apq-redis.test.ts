import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentId } from '../../../gateway/clients/documents.ts';
import type { Gateway } from '../../../gateway/app.ts';
import { startAllServices, closeAllServices, type StartedService } from '../../../subgraphs/catalog.ts';
import { demoConfig } from '../../../gateway/cli/demo-config.ts';
import { deepMerge, type PlainObject } from '../../../gateway/config/merge.ts';
import type { GatewayConfigInput } from '../../../gateway/config/index.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { freePort } from '../../helpers/net.ts';
import { requireSharedRedis, uniqueKeyPrefix } from '../../helpers/redis-shared.ts';
import { sampleSum, scrape } from '../../helpers/prometheus-text.ts';

async function post(url: string, body: unknown) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  return { status: res.status, json, code: json.errors?.[0]?.extensions?.code };
}

describe('APQ over Redis', () => {
  let services: StartedService[];
  const gateways: Gateway[] = [];
  const start = async (overrides: GatewayConfigInput): Promise<Gateway> => {
    const g = await startGateway(deepMerge(demoConfig(services) as PlainObject, overrides as PlainObject) as GatewayConfigInput);
    gateways.push(g);
    return g;
  };
  beforeAll(async () => {
    services = await startAllServices({ ports: 'free' });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await closeAllServices(services);
  });

  it('a hash registered through one instance is served by another', async () => {
    const url = await requireSharedRedis();
    const shared: GatewayConfigInput = { redis: { url }, clients: { apq: { redisKeyPrefix: uniqueKeyPrefix('apq'), ttlSeconds: 60 } } };
    const [a, b] = [await start(shared), await start(shared)];
    const query = `query Shared${Date.now()} { topProducts(first: 1) { id name } }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: documentId(query) } };
    expect((await post(`${b.url}/graphql`, { extensions })).code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(`${a.url}/graphql`, { query, extensions });
    expect(registered.json.errors).toBeUndefined();
    const served = await post(`${b.url}/graphql`, { extensions });
    expect(served.status).toBe(200);
    expect(served.json).toEqual(registered.json);
    expect(sampleSum(await scrape(b.url), 'graphql_documents_total', { outcome: 'apq_hit' })).toBe(1);
  });

  it('a dead Redis: the rate limiter fails open, APQ falls back to memory, nothing crashes', async () => {
    const closed = await freePort();
    const g = await start({ redis: { url: `redis://127.0.0.1:${closed}` }, rateLimit: { redis: { failMode: 'open', timeoutMs: 50, connectTimeoutMs: 100 } } });
    const query = `query Dead${Date.now()} { topProducts(first: 1) { id } }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: documentId(query) } };
    const miss = await post(`${g.url}/graphql`, { extensions });
    expect([miss.status, miss.code]).toEqual([200, 'PERSISTED_QUERY_NOT_FOUND']);
    const registered = await post(`${g.url}/graphql`, { query, extensions });
    expect(registered.status).toBe(200);
    expect(registered.json.errors).toBeUndefined();
    // Kept in this instance's memory although Redis did not take it.
    expect((await post(`${g.url}/graphql`, { extensions })).json).toEqual(registered.json);
    const families = await scrape(g.url);
    expect(sampleSum(families, 'graphql_documents_total', { outcome: 'apq_store_error' })).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${g.url}/healthz`)).status).toBe(200);
  });
});
