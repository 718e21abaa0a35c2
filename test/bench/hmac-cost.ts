import { pathToFileURL } from 'node:url';
import { identitySigningConfigSchema } from '../../gateway/identity-signing/config.ts';
import { bodyDigest, UNSIGNED_BODY } from '../../gateway/identity-signing/protocol.ts';
import { createRequestSigner } from '../../gateway/identity-signing/signer.ts';
import { createSignatureVerifier } from '../../gateway/identity-signing/verify.ts';

/**
 * What signing costs per upstream call: the gateway's own signer (the one the pipeline's
 * sign-request policy calls) over a signed-in user's identity headers, in a bounded loop
 * (count and time), on the main thread with nothing else running. Cases:
 *  - a subgraph fetch: the body digest (SHA-256) plus the HMAC, for a small body (the
 *    bench query's products fetch) and a 16 KiB one (a large `_entities` batch);
 *  - a passthrough call: the streamed body is `unsigned`, so the HMAC alone;
 *  - sign + verify: the gateway's signature and a subgraph kit's check of it with its body.
 *
 * `node --import tsx test/bench/hmac-cost.ts [--iterations N]`; `npm run bench` prints it too.
 */

export interface HmacCost {
  readonly name: string;
  readonly iterations: number;
  /** Wall time per call. */
  readonly usPerCall: number;
  /**
   * CPU time (user + system) per call: on a shared machine the wall figure includes time
   * the thread waited for a core; this one does not.
   */
  readonly cpuUsPerCall: number;
  readonly callsPerSec: number;
}

const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json',
  'x-user-id': 'u1',
  'x-user-scopes': 'users:read:email orders:read',
  'x-user-roles': 'customer',
  'x-consumer-tier': 'standard',
  'x-request-id': '3f1d3b7e-4c59-4a8e-9b07-2b1f7f8e9a10',
  'x-gateway-client': 'web',
};
const SMALL_BODY = JSON.stringify({
  query: 'query Bench__products__0{topProducts(first:5){__typename id name priceCents weightGrams}}',
  variables: {},
  operationName: 'Bench__products__0',
});
const LARGE_BODY = JSON.stringify({
  query: 'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{reviews(first:2){rating body author{__typename id}}}}}',
  variables: { representations: Array.from({ length: 300 }, (_, i) => ({ __typename: 'Product', id: `p${i}` })) },
}).padEnd(16 * 1024, ' ');

export function measureHmacCost(options: { iterations?: number; maxMsPerCase?: number } = {}): HmacCost[] {
  const iterations = options.iterations ?? 200_000;
  const maxMs = options.maxMsPerCase ?? 15_000;
  const config = identitySigningConfigSchema.parse({ keyId: 'k1', keys: { k1: SECRET } });
  const signer = createRequestSigner(config, { env: {} });
  const verifier = createSignatureVerifier({ keys: { k1: SECRET } });

  // As the pipeline's sign-request policy does: the signature headers, merged into the call's.
  const sign = (method: string, path: string, body: string | typeof UNSIGNED_BODY): Record<string, string> =>
    Object.assign({}, HEADERS, signer.sign({ method, path, body, headers: HEADERS }));
  const cases: Array<{ name: string; run: () => unknown }> = [
    { name: `sign subgraph call (${SMALL_BODY.length} B body digested)`, run: () => sign('POST', '', SMALL_BODY) },
    { name: `sign subgraph call (${Math.round(LARGE_BODY.length / 1024)} KiB body digested)`, run: () => sign('POST', '', LARGE_BODY) },
    { name: 'sign passthrough call (streamed body unsigned)', run: () => sign('GET', '/notifications?userId=u1', UNSIGNED_BODY) },
    {
      // The subgraph kit's side: the signature, then the body against its signed digest.
      name: `sign + verify subgraph call (${SMALL_BODY.length} B body)`,
      run: () => {
        const headers = sign('POST', '', SMALL_BODY);
        const verified = verifier.verify({ method: 'POST', path: '', headers });
        if (!verified.ok || verified.bodyDigest !== bodyDigest(SMALL_BODY)) throw new Error('the bench signature did not verify');
      },
    },
  ];
  return cases.map((c) => timeCase(c.name, c.run, iterations, maxMs));
}

/** Warm-up, then `iterations` calls or `maxMs`, whichever ends first. */
function timeCase(name: string, run: () => unknown, iterations: number, maxMs: number): HmacCost {
  for (let i = 0; i < Math.min(10_000, iterations); i++) run();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const deadline = started + maxMs;
  let done = 0;
  // The clock is read once per 1000 calls, so reading it costs nothing measurable.
  while (done < iterations) {
    const batch = Math.min(1000, iterations - done);
    for (let i = 0; i < batch; i++) run();
    done += batch;
    if (performance.now() > deadline) break;
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { name, iterations: done, usPerCall: (ms * 1000) / done, cpuUsPerCall: (cpu.user + cpu.system) / done, callsPerSec: done / (ms / 1000) };
}

export function formatHmacCost(results: readonly HmacCost[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map(
    (r) =>
      `  ${r.name.padEnd(width)}  ${r.usPerCall.toFixed(2).padStart(6)} µs/call (CPU ${r.cpuUsPerCall.toFixed(2)} µs)  ${Math.round(r.callsPerSec).toLocaleString('en-US').padStart(9)} calls/s  (${r.iterations.toLocaleString('en-US')} calls)`,
  );
  return `HMAC-SHA256 identity signing per upstream call (one core, node:crypto):\n${lines.join('\n')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--iterations');
  const iterations = i >= 0 ? Number(process.argv[i + 1]) : undefined;
  if (iterations !== undefined && !(Number.isInteger(iterations) && iterations > 0 && iterations <= 10_000_000)) throw new Error('--iterations: an integer from 1 to 10000000');
  process.stdout.write(formatHmacCost(measureHmacCost(iterations === undefined ? {} : { iterations })));
}
