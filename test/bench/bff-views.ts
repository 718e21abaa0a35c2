import { signDevToken } from '../../gateway/auth/index.ts';
import { startProxiedStack } from '../helpers/proxied-stack.ts';
import { WEB_DASHBOARD_QUERY } from './web-dashboard-query.ts';

/** The BFF screens the bench loads: one request each is one screen of a signed-in user. */
export interface BffView {
  readonly name: string;
  readonly path: string;
  readonly query: string;
}

export const BFF_VIEWS: readonly BffView[] = [
  {
    name: 'mobile home',
    path: '/bff/mobile/graphql',
    query: `query Home { home { user { name avatarUrl } activeOrders { id status formattedTotal itemCount placedAt } unreadNotifications } }`,
  },
  {
    name: 'web dashboard',
    path: '/bff/web/graphql',
    query: WEB_DASHBOARD_QUERY,
  },
];

/** The web dashboard view (the one the hand-written BFF, handwritten-bff.ts, also answers). */
export const WEB_DASHBOARD_VIEW: BffView = (() => {
  const view = BFF_VIEWS.find((v) => v.query === WEB_DASHBOARD_QUERY);
  if (!view) throw new Error('BFF_VIEWS has no web dashboard');
  return view;
})();

/**
 * The user the bench signs in as (dev token, accepted by a gateway with `auth.devKeys`),
 * with the scope the web dashboard's profile needs (User.email is @requiresScopes).
 */
export async function benchAuthorization(): Promise<string> {
  return `Bearer ${await signDevToken({ sub: 'u1', scopes: ['users:read:email'], expiresIn: '1h' })}`;
}

/** One request of a view's query to `url` (a BFF door, or the hand-written BFF), as the bench sends it. */
export async function fetchView(url: string, view: BffView, authorization: string): Promise<{ status: number; body: { data?: unknown; errors?: unknown[] } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query: view.query }),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: unknown[] } };
}

/** Checks a view renders completely before it is loaded: a bench of error responses measures nothing. */
export async function checkView(baseUrl: string, view: BffView, authorization: string, url = `${baseUrl}${view.path}`): Promise<unknown> {
  const { status, body } = await fetchView(url, view, authorization);
  if (status !== 200 || body.errors || !body.data) throw new Error(`${view.name} does not render: ${status} ${JSON.stringify(body).slice(0, 300)}`);
  return body.data;
}

/** Another server answering a view in front of the gateway (the hand-written BFF): counted too. */
export interface ViewInFront {
  readonly name: string;
  readonly view: BffView;
  start(gatewayUrl: string): Promise<{ readonly url: string; close(): Promise<void> }>;
}

/**
 * Upstream requests one request of each view costs, per upstream, counted by a recording
 * proxy in front of every service of a separate in-process stack (so the proxy's hop is
 * never in the measured load path).
 */
export async function countUpstreamRequests(views: readonly BffView[], inFront: readonly ViewInFront[] = []): Promise<Map<string, Record<string, number>>> {
  const stack = await startProxiedStack();
  try {
    const authorization = await benchAuthorization();
    const counts = new Map<string, Record<string, number>>();
    const count = async (name: string, view: BffView, url: string): Promise<void> => {
      await checkView(stack.gateway.url, view, authorization, url); // warm: query plans cached
      stack.proxy.reset();
      await checkView(stack.gateway.url, view, authorization, url);
      const perUpstream: Record<string, number> = {};
      for (const call of stack.proxy.calls) perUpstream[call.upstream] = (perUpstream[call.upstream] ?? 0) + 1;
      counts.set(name, perUpstream);
    };
    for (const view of views) await count(view.name, view, `${stack.gateway.url}${view.path}`);
    for (const other of inFront) {
      const server = await other.start(stack.gateway.url);
      try {
        await count(other.name, other.view, `${server.url}/`);
      } finally {
        await server.close();
      }
    }
    return counts;
  } finally {
    await stack.close();
  }
}
