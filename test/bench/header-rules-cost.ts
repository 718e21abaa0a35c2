import type { IncomingHttpHeaders } from 'node:http';
import { pathToFileURL } from 'node:url';
import { loadConfig, type GatewayConfigInput } from '../../gateway/config/index.ts';
import { HeaderRules } from '../../gateway/upstream/header-rules.ts';
import { createTestContext } from '../helpers/upstream-context.ts';

/**
 * What the `headers` rules cost per upstream call: the compiled rules (as the pipeline's
 * policy runs them) over a browser-like request with a typical rule set, and the engine's
 * dedup key part (`varyKey`, once per subgraph fetch). Bounded in count and time, on the
 * main thread with nothing else running. For scale: the identity policy's own copy of the
 * record and the HMAC signature (test/bench/hmac-cost.ts) run on every call too.
 *
 * `node --import tsx test/bench/header-rules-cost.ts [--iterations N]`.
 */

export interface RuleCost {
  readonly name: string;
  readonly iterations: number;
  readonly usPerCall: number;
  readonly cpuUsPerCall: number;
}

const RULES: NonNullable<GatewayConfigInput['headers']> = {
  all: {
    request: [
      { propagate: { named: 'x-tenant' } },
      { propagate: { named: 'accept-language', rename: 'x-locale', default: 'en' } },
      { propagate: { matching: '^x-flag-' } },
      { insert: { name: 'x-deployment', value: 'eu-1' } },
      { insert: { name: 'x-account', fromContext: 'subject' } },
      { insert: { name: 'x-org', fromClaim: 'org' } },
      { remove: { named: 'x-debug' } },
    ],
  },
};

/** A browser's request to a BFF, as node:http parses it. */
const INBOUND: IncomingHttpHeaders = {
  host: 'api.example.com',
  connection: 'keep-alive',
  'content-type': 'application/json',
  'content-length': '120',
  accept: 'application/graphql-response+json, application/json',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'fr-FR,fr;q=0.9,en;q=0.8',
  authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.sig',
  'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15',
  origin: 'https://app.example.com',
  referer: 'https://app.example.com/home',
  cookie: 'session=abc; theme=dark',
  'x-tenant': 'acme',
  'x-flag-beta': 'on',
  'x-request-id': '3f1d3b7e-4c59-4a8e-9b07-2b1f7f8e9a10',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};
const DOOR = { 'content-type': 'application/json', accept: 'application/json' };

export function measureHeaderRuleCost(options: { iterations?: number; maxMsPerCase?: number } = {}): RuleCost[] {
  const iterations = options.iterations ?? 200_000;
  const maxMs = options.maxMsPerCase ?? 5_000;
  const rules = new HeaderRules(loadConfig({ env: {}, overrides: { headers: RULES } }).headers);
  const { ctx, dispose } = createTestContext({
    requestHeaders: INBOUND,
    headerRules: rules,
    principal: { kind: 'user', subject: 'u1', scopes: ['orders:read'], roles: ['customer'], tier: 'standard', claims: Object.freeze({ sub: 'u1', org: 'acme-corp' }) },
  });
  try {
    const results = [
      timeCase('apply 7 rules (3 propagate, 3 insert, 1 remove) to a subgraph fetch', () => rules.apply('products', DOOR, ctx), iterations, maxMs),
      timeCase('varyKey (the dedup key part) for the same rules', () => rules.varyKey(ctx), iterations, maxMs),
      // For scale: one copy of a header record, as the identity policy makes on every call.
      timeCase('(for scale) one copy of a 16-header record', () => Object.assign({}, INBOUND), iterations, maxMs),
    ];
    const check = rules.apply('products', DOOR, ctx);
    if (check['x-tenant'] !== 'acme' || check['x-locale'] !== INBOUND['accept-language'] || check['x-org'] !== 'acme-corp') throw new Error('the bench rules did not apply');
    return results;
  } finally {
    dispose();
  }
}

/** Warm-up, then `iterations` calls or `maxMs`, whichever ends first (the clock read once per 1000 calls). */
function timeCase(name: string, run: () => unknown, iterations: number, maxMs: number): RuleCost {
  for (let i = 0; i < Math.min(10_000, iterations); i++) run();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let done = 0;
  while (done < iterations) {
    const batch = Math.min(1000, iterations - done);
    for (let i = 0; i < batch; i++) run();
    done += batch;
    if (performance.now() - started > maxMs) break;
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { name, iterations: done, usPerCall: (ms * 1000) / done, cpuUsPerCall: (cpu.user + cpu.system) / done };
}

export function formatHeaderRuleCost(results: readonly RuleCost[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `  ${r.name.padEnd(width)}  ${r.usPerCall.toFixed(3).padStart(7)} µs/call (CPU ${r.cpuUsPerCall.toFixed(3)} µs)  (${r.iterations.toLocaleString('en-US')} calls)`);
  return `Upstream header rules per call (one core):\n${lines.join('\n')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--iterations');
  const iterations = i >= 0 ? Number(process.argv[i + 1]) : undefined;
  if (iterations !== undefined && !(Number.isInteger(iterations) && iterations > 0 && iterations <= 10_000_000)) throw new Error('--iterations: an integer from 1 to 10000000');
  process.stdout.write(formatHeaderRuleCost(measureHeaderRuleCost(iterations === undefined ? {} : { iterations })));
}
