import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditServer, type AuditResult } from 'graphql-http';
import { createGateway, type Gateway } from '../../../gateway/app.ts';
import { signDevToken } from '../../../gateway/auth/index.ts';
import { demoConfig } from '../../../gateway/cli/demo-config.ts';
import { loadConfig } from '../../../gateway/config/index.ts';
import { closeAllServices, startAllServices, type StartedService } from '../../../subgraphs/catalog.ts';
import { captureLog, type CapturedLog } from '../../helpers/log-capture.ts';

/**
 * The GraphQL-over-HTTP audit of The Guild's `graphql-http` (`auditServer`, 61 audits)
 * against `/graphql` and a BFF door of a real gateway on loopback with the DEFAULT config
 * (only the demo's upstream addresses are set: no raised rate limits, no relaxed limits).
 * Every MUST passes, and nothing fails that stock `@apollo/server` passes: stock scores
 * 55 ok, 3 notice, 3 warn, 0 error, and these are its six, for the same reasons.
 */
const ALLOWED: Readonly<Record<string, { status: 'notice' | 'warn'; why: string }>> = {
  // Apollo's CSRF prevention (on in stock and here): a GET must carry a header a browser
  // cannot send cross-site without a preflight (a non-simple content-type or
  // `apollo-require-preflight`); the audit's GETs carry neither.
  '5A70': { status: 'notice', why: 'MAY accept application/x-www-form-urlencoded GETs: CSRF prevention refuses simple GETs' },
  D6D5: { status: 'notice', why: 'MAY allow JSON variables in GETs (graphql-response+json): CSRF prevention, as above' },
  '6A70': { status: 'notice', why: 'MAY allow JSON variables in GETs (application/json): CSRF prevention, as above' },
  // With `accept: application/json` the spec's legacy rule prefers 200 for a document that
  // fails; Apollo answers 400 (as stock does), which clients and our own tests rely on.
  '572B': { status: 'warn', why: 'SHOULD use 200 on a parse failure with application/json: Apollo answers 400' },
  FDE2: { status: 'warn', why: 'SHOULD use 200 on a validation failure with application/json: Apollo answers 400' },
  '7B9B': { status: 'warn', why: 'SHOULD use 200 on a variable coercion failure with application/json: Apollo answers 400' },
};

type Counts = Record<AuditResult['status'], number>;

describe('GraphQL over HTTP (graphql-http audit), default config', () => {
  let services: StartedService[];
  let gateway: Gateway;
  let captured: CapturedLog;
  let token: string;

  beforeAll(async () => {
    services = await startAllServices({ ports: 'free' });
    captured = captureLog();
    const config = loadConfig({ env: {}, overrides: { ...demoConfig(services), server: { host: '127.0.0.1', port: 0 } } });
    gateway = await createGateway(config, { log: captured.log });
    await gateway.listen();
    // The web BFF serves signed-in users only: the audit's requests carry a user's token.
    token = await signDevToken({ sub: 'u1' });
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    if (services) await closeAllServices(services);
  });

  const audit = async (path: string, headers: Record<string, string>): Promise<AuditResult[]> => {
    const fetchFn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const merged = new Headers(init?.headers);
      for (const [name, value] of Object.entries(headers)) merged.set(name, value);
      return fetch(input, { ...init, headers: merged });
    };
    const results = await auditServer({ url: `${gateway.url}${path}`, fetchFn });
    const counts: Counts = { ok: 0, notice: 0, warn: 0, error: 0 };
    for (const r of results) counts[r.status]++;
    // For the report: the audit's own tally, as graphql-http prints it.
    console.log(`graphql-http audit ${path}: ${counts.ok} ok, ${counts.notice} notice, ${counts.warn} warn, ${counts.error} error (of ${results.length})`);
    return results;
  };

  const expectConformance = async (results: AuditResult[]): Promise<void> => {
    const unexpected: string[] = [];
    for (const r of results) {
      if (r.status === 'ok') continue;
      const allowed = ALLOWED[r.id];
      if (allowed?.status === r.status && !r.name.startsWith('MUST')) continue;
      unexpected.push(`${r.id} ${r.status} ${r.name}: ${r.reason} (HTTP ${r.response.status}: ${(await r.response.text()).slice(0, 300)})`);
    }
    expect(unexpected).toEqual([]);
    expect(results.filter((r) => r.name.startsWith('MUST') && r.status !== 'ok')).toEqual([]);
    expect(results.length).toBe(61);
  };

  it('/graphql (anonymous): every MUST, and no SHOULD that stock Apollo Server passes', { timeout: 60_000 }, async () => {
    await expectConformance(await audit('/graphql', {}));
  });

  it('/bff/web/graphql (a signed-in user): the same', { timeout: 60_000 }, async () => {
    await expectConformance(await audit('/bff/web/graphql', { authorization: `Bearer ${token}` }));
  });

  it('the audit logged nothing at error level, and the gateway still serves', async () => {
    expect(captured.errors()).toEqual([]);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });
});
