import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { postGraphQL, startStack, type Stack } from '../../helpers/stack.ts';
import { parsePrometheusText, sampleSum, sampleValue, scrape, type Family } from '../../helpers/prometheus-text.ts';

/** `GET /metrics` of real gateways on loopback: format, exact counts, breaker state. */
describe('GET /metrics', () => {
  let stack: Stack;
  let url: string;

  beforeAll(async () => {
    stack = await startStack({
      upstreamDefaults: { retry: { attempts: 1 } },
      metrics: { operationNames: ['Counted', 'AlsoCounted'] },
    });
    url = stack.gateway.url;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('is Prometheus text (strictly parsed) with our families and Node’s runtime metrics', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(await res.text());
    const expected: Array<[string, Family['type']]> = [
      ['http_server_requests_total', 'counter'],
      ['http_server_request_duration_seconds', 'histogram'],
      ['http_server_requests_in_flight', 'gauge'],
      ['upstream_requests_total', 'counter'],
      ['upstream_request_duration_seconds', 'histogram'],
      ['upstream_retries_total', 'counter'],
      ['circuit_breaker_state', 'gauge'],
      ['circuit_breaker_transitions_total', 'counter'],
      ['rate_limit_decisions_total', 'counter'],
      ['rate_limit_store_errors_total', 'counter'],
      ['supergraph_reloads_total', 'counter'],
      ['process_cpu_seconds_total', 'counter'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ];
    for (const [name, type] of expected) expect(families.get(name)?.type, name).toBe(type);
    // Every REST route's breaker is known from start-up, closed.
    expect(sampleValue(families, 'circuit_breaker_state', { upstream: 'notifications' })).toBe(0);
  });

  it('request and upstream counters move by exactly the number of requests sent', async () => {
    const before = await scrape(url);
    const GRAPHQL = 7;
    const REST = 5;
    for (let i = 0; i < GRAPHQL; i++) {
      const res = await postGraphQL(`${url}/graphql`, 'query Counted { product(id: "p1") { name } }');
      expect(res.status).toBe(200);
    }
    for (let i = 0; i < REST; i++) {
      const res = await fetch(`${url}/api/v1/notifications/notifications?userId=u${i}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const after = await scrape(url);
    const delta = (name: string, labels: Record<string, string>): number => sampleSum(after, name, labels) - sampleSum(before, name, labels);

    const graphql = { door: 'graphql', route: 'Counted', method: 'POST', status_code: '200', status_class: '2xx' };
    expect(delta('http_server_requests_total', graphql)).toBe(GRAPHQL);
    expect(delta('http_server_request_duration_seconds_count', { door: 'graphql', route: 'Counted', method: 'POST', status_class: '2xx' })).toBe(GRAPHQL);
    const rest = { door: 'rest', route: 'notifications', method: 'GET', status_code: '200' };
    expect(delta('http_server_requests_total', rest)).toBe(REST);
    expect(delta('http_server_requests_total', {})).toBe(GRAPHQL + REST);

    // One fetch from products per query; one call per REST request.
    expect(delta('upstream_requests_total', { upstream: 'products', kind: 'subgraph', outcome: 'success', code: '200' })).toBe(GRAPHQL);
    expect(delta('upstream_request_duration_seconds_count', { upstream: 'products', outcome: 'success' })).toBe(GRAPHQL);
    expect(delta('upstream_requests_total', { upstream: 'notifications', kind: 'rest', outcome: 'success', code: '200' })).toBe(REST);
    expect(delta('upstream_requests_total', {})).toBe(GRAPHQL + REST);

    // Rate limiting is on (generous): one decision per request, all allowed.
    expect(delta('rate_limit_decisions_total', { tier: 'anonymous', door: 'graphql', decision: 'allowed' })).toBe(GRAPHQL);
    expect(delta('rate_limit_decisions_total', { tier: 'anonymous', door: 'rest', decision: 'allowed' })).toBe(REST);
    expect(sampleSum(after, 'http_server_requests_in_flight')).toBe(0);
  });

  it('never puts raw paths or unlisted operation names in labels', async () => {
    await postGraphQL(`${url}/graphql`, 'query Unlisted_9f8e7d { product(id: "p1") { name } }');
    await postGraphQL(`${url}/graphql`, '{ product(id: "p1") { name } }');
    await (await fetch(`${url}/api/v1/nowhere/u-12345/secret-path`)).arrayBuffer();
    await (await fetch(`${url}/some/random/path-67890`)).arrayBuffer();
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).not.toContain('Unlisted_9f8e7d');
    expect(text).not.toContain('u-12345');
    expect(text).not.toContain('path-67890');
    const families = parsePrometheusText(text);
    expect(sampleValue(families, 'http_server_requests_total', { door: 'graphql', route: 'other' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'http_server_requests_total', { door: 'graphql', route: 'anonymous' })).toBeGreaterThanOrEqual(1);
    expect(sampleSum(families, 'http_server_requests_total', { door: 'rest', route: 'unmatched', status_code: '404' })).toBe(2);
  });

  describe('a breaker opening', () => {
    let gateway: Gateway;
    beforeAll(async () => {
      gateway = await startGateway({
        routes: [{ name: 'dead', prefix: '/dead', targets: [{ url: 'http://127.0.0.1:1' }] }],
        upstreamDefaults: { retry: { attempts: 1 }, breaker: { consecutiveFailures: 2, minimumRequests: 100, openMs: 60_000 } },
      });
    });
    afterAll(async () => {
      await gateway?.close();
    });

    it('moves its gauge from 0 (closed) to 2 (open), counts the transition and the fast failures — in its own gateway’s registry only', async () => {
      const origin = 'http://127.0.0.1:1';
      expect(sampleValue(await scrape(gateway.url), 'circuit_breaker_state', { upstream: 'dead', origin })).toBe(0);
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${gateway.url}/api/v1/dead/x`);
        statuses.push(res.status);
        await res.arrayBuffer();
      }
      expect(statuses).toEqual([502, 502, 503]);
      const after = await scrape(gateway.url);
      expect(sampleValue(after, 'circuit_breaker_state', { upstream: 'dead', origin })).toBe(2);
      expect(sampleValue(after, 'circuit_breaker_transitions_total', { upstream: 'dead', origin, from: 'closed', to: 'open' })).toBe(1);
      expect(sampleValue(after, 'upstream_requests_total', { upstream: 'dead', outcome: 'error', code: 'UPSTREAM_UNAVAILABLE' })).toBe(2);
      expect(sampleValue(after, 'upstream_requests_total', { upstream: 'dead', outcome: 'error', code: 'CIRCUIT_OPEN' })).toBe(1);
      expect(sampleValue(after, 'http_server_requests_total', { door: 'rest', route: 'dead', status_code: '503', status_class: '5xx' })).toBe(1);
      // The other gateway in this process has its own registry: none of this shows there.
      expect(sampleSum(await scrape(url), 'circuit_breaker_state', { upstream: 'dead' })).toBe(0);
      expect(sampleSum(await scrape(url), 'upstream_requests_total', { upstream: 'dead' })).toBe(0);
    });
  });
});
