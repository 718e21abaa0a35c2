import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/app.ts';
import type { BreakerStateChange } from '../../gateway/upstream/types.ts';
import { startGateway } from '../helpers/gateway.ts';
import { bodyOf, startTestServer, type TestServer } from '../helpers/http-server.ts';
import { waitFor } from '../helpers/upstream-pipeline.ts';

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/**
 * The same scenario through the real /graphql door: the query planner's fetches to a
 * subgraph go through its pipeline, so a subgraph that is down trips its breaker, later
 * operations fail fast with CIRCUIT_OPEN (the subgraph sees nothing), and probes close it.
 */
describe('fault: a subgraph that is down, through POST /graphql', () => {
  const cleanup: Array<{ close(): Promise<unknown> }> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c.close();
  });

  async function setUp(policy: Record<string, unknown>) {
    const state = { up: false, failNext: 0, bodies: [] as string[] };
    const subgraph: TestServer = await startTestServer(async (req, res) => {
      state.bodies.push((await bodyOf(req)).toString());
      const failing = !state.up || state.failNext > 0;
      if (state.failNext > 0) state.failNext--;
      if (failing) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
      const isMutation = state.bodies.at(-1)!.includes('mutation');
      const data = isMutation ? { cancelOrder: { id: '7' } } : { user: { id: '1' }, order: { id: '7' } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
    });
    cleanup.push(subgraph);
    const changes: BreakerStateChange[] = [];
    const gateway: Gateway = await startGateway(
      { subgraphs: { users: { url: `${subgraph.url}/graphql` }, orders: { url: `${subgraph.url}/graphql` } }, upstreams: { users: policy, orders: policy } },
      { events: { onBreakerStateChange: (e) => changes.push(e) } },
    );
    cleanup.push(gateway);
    const graphql = async (query: string): Promise<GraphQLBody> => {
      const res = await request(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      return (await res.body.json()) as GraphQLBody;
    };
    return { state, subgraph, gateway, changes, graphql };
  }

  it('opens after consecutiveFailures, fails fast with CIRCUIT_OPEN without calling the subgraph, and closes after a probe', async () => {
    const { state, subgraph, gateway, changes, graphql } = await setUp({
      retry: { attempts: 1 },
      // Long enough that the 10 fail-fast round trips below all land inside it on a loaded machine.
      breaker: { consecutiveFailures: 3, minimumRequests: 100, openMs: 2_000, halfOpenProbes: 1 },
    });
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 3; i++) codes.push((await graphql('{ user(id: "1") { id } }')).errors?.[0]?.extensions?.code);
    expect(subgraph.requests).toHaveLength(3);
    expect(codes.every((c) => c !== undefined && c !== 'CIRCUIT_OPEN')).toBe(true);
    const breaker = gateway.upstreams.get('users')!.breakers.for(gateway.upstreams.get('users')!.definition.targets[0]!);
    expect(breaker.state).toBe('open');

    for (let i = 0; i < 10; i++) {
      const body = await graphql('{ user(id: "1") { id } }');
      expect(body.errors?.[0]?.extensions?.code).toBe('CIRCUIT_OPEN');
    }
    expect(subgraph.requests).toHaveLength(3);

    state.up = true;
    await waitFor(() => breaker.admits(), 'the open period to end');
    expect(await graphql('{ user(id: "1") { id } }')).toEqual({ data: { user: { id: '1' } } });
    expect(breaker.state).toBe('closed');
    expect(changes.filter((c) => c.upstream === 'users').map((c) => c.to)).toEqual(['open', 'half-open', 'closed']);
  });

  it('a query is retried on 503; a mutation is sent exactly once', async () => {
    const { state, subgraph, graphql } = await setUp({ retry: { attempts: 2, baseDelayMs: 1 }, breaker: { consecutiveFailures: 100 } });
    state.up = true;
    state.failNext = 1;
    expect(await graphql('{ order(id: "7") { id } }')).toEqual({ data: { order: { id: '7' } } });
    expect(subgraph.requests).toHaveLength(2);

    state.up = false;
    const mutation = await graphql('mutation { cancelOrder(id: "7") { id } }');
    expect(mutation.errors?.length).toBeGreaterThan(0);
    expect(subgraph.requests).toHaveLength(3);
  });
});
