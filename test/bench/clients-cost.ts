/**
 * The added per-request cost of the clients step at a GraphQL door (gateway/clients/
 * door-documents.ts): identity, version policy, safelist lookup and APQ in memory, on the
 * repository's registry. Bounded: `ITERATIONS` calls per case, at most `MAX_MS` each.
 * Run: node --import tsx test/bench/clients-cost.ts
 */
import { loadConfig } from '../../gateway/config/index.ts';
import { createClientRuntime, loadDoorRegistry } from '../../gateway/clients/runtime.ts';
import { MemoryRateLimitStore } from '../../gateway/rate-limit/memory-store.ts';
import { createRateLimitStore, type RateLimitStore } from '../../gateway/rate-limit/index.ts';
import { RedisRateLimitStore } from '../../gateway/rate-limit/redis-store.ts';
import { createLogger } from '../../gateway/telemetry/logger.ts';
import { documentId } from '../../gateway/clients/documents.ts';
import { createTestContext } from '../helpers/upstream-context.ts';

const ITERATIONS = 20_000;
const MAX_MS = 3_000;

async function timeCase(name: string, run: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 500; i++) await run(); // warm up
  const started = performance.now();
  let n = 0;
  while (n < ITERATIONS && performance.now() - started < MAX_MS) {
    await run();
    n++;
  }
  const us = ((performance.now() - started) * 1000) / n;
  console.log(`${name.padEnd(58)} ${us.toFixed(2).padStart(7)} µs/request  (${n} calls)`);
}

const log = createLogger('silent');
const headers = { 'apollographql-client-name': 'web-graphql', 'apollographql-client-version': '1.0' };
const { ctx } = createTestContext({ requestHeaders: headers, door: 'graphql' });

async function runtime(mode: 'off' | 'enforce', store: RateLimitStore = new MemoryRateLimitStore({ maxKeys: 10 })) {
  const config = loadConfig({ env: {}, overrides: { clients: { safelist: { mode } } } });
  const registry = await loadDoorRegistry(config.clients, log);
  const rt = createClientRuntime({ config: config.clients, registry, limits: config.operationLimits, log, rateLimitStore: store, onDocument: () => {} });
  const op = registry.clients.find((c) => c.name === 'web-graphql')?.versions[0]?.operations[0];
  if (!op) throw new Error('web-graphql 1.0 registers nothing');
  return { step: rt.forDoor('graphql'), op };
}

const off = await runtime('off');
const enforce = await runtime('enforce');
const apqText = 'query BenchApq { topProducts(first: 1) { id name } }';
const apqExt = { persistedQuery: { version: 1, sha256Hash: documentId(apqText) } };
await off.step({ method: 'POST', body: { query: apqText, extensions: apqExt }, search: '' }, ctx); // registers it

console.log(`clients step per request (${ITERATIONS} calls per case, Node ${process.version})`);
await timeCase('safelist off, text (identity + version policy only)', () => off.step({ method: 'POST', body: { query: off.op.body }, search: '' }, ctx));
await timeCase('safelist enforce, registered id', () => enforce.step({ method: 'POST', body: { documentId: enforce.op.id }, search: '' }, ctx));
await timeCase('safelist enforce, exact registered text (SHA-256)', () => enforce.step({ method: 'POST', body: { query: enforce.op.body }, search: '' }, ctx));
const reformatted = enforce.op.body.replace(/\s+/g, ' ');
await timeCase('safelist enforce, reformatted text (parse + print)', () => enforce.step({ method: 'POST', body: { query: reformatted }, search: '' }, ctx));
await timeCase('APQ hit in memory (safelist off)', () => off.step({ method: 'POST', body: { extensions: apqExt }, search: '' }, ctx));

// APQ over Redis (REDIS_URL, default the local one): what an instance pays for a hash it
// has not seen, one GET; each case uses a fresh instance so its memory is cold.
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisConfig = loadConfig({ env: {} }).rateLimit;
const stores: RateLimitStore[] = [];
const redisStore = (): RateLimitStore => {
  const store = createRateLimitStore(redisConfig, { redisUrl });
  stores.push(store);
  return store;
};
const writer = await runtime('off', redisStore());
await writer.step({ method: 'POST', body: { query: apqText, extensions: apqExt }, search: '' }, ctx);
const readers = await Promise.all(Array.from({ length: 200 }, () => runtime('off', redisStore())));
// Each instance asked once (no warm-up: a second ask would be a memory hit).
const started = performance.now();
for (const reader of readers) await reader.step({ method: 'POST', body: { extensions: apqExt }, search: '' }, ctx);
const redisUs = ((performance.now() - started) * 1000) / readers.length;
console.log(`${`APQ first hit from Redis on a cold instance`.padEnd(58)} ${redisUs.toFixed(2).padStart(7)} µs/request  (${readers.length} instances, one ask each)`);
for (const store of stores) if (store instanceof RedisRateLimitStore) await store.close();
