import { signDevToken } from '../../gateway/auth/index.ts';
import { startProxiedStack } from '../helpers/proxied-stack.ts';

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
    query: `query Dashboard { dashboard {
      profile { id name email avatarUrl tier memberSince }
      orders { id status formattedTotal placedAt itemCount lines { productId name category quantity unitPriceCents } }
      recommendations(limit: 8) { degraded items { id name formattedPrice imageUrl category } }
      unreadNotifications
      analytics { totalSpentCents byMonth { key totalCents } byCategory { key totalCents } byStatus { status orderCount } }
    } }`,
  },
];

/**
 * The user the bench signs in as (dev token, accepted by a gateway with `auth.devKeys`),
 * with the scope the web dashboard's profile needs (User.email is @requiresScopes).
 */
export async function benchAuthorization(): Promise<string> {
  return `Bearer ${await signDevToken({ sub: 'u1', scopes: ['users:read:email'], expiresIn: '1h' })}`;
}

/** Checks a view renders completely before it is loaded: a bench of error responses measures nothing. */
export async function checkView(baseUrl: string, view: BffView, authorization: string): Promise<void> {
  const res = await fetch(`${baseUrl}${view.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query: view.query }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  if (res.status !== 200 || body.errors || !body.data) throw new Error(`${view.name} does not render: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
}

/**
 * Upstream requests one request of each view costs, per upstream, counted by a recording
 * proxy in front of every service of a separate in-process stack (so the proxy's hop is
 * never in the measured load path).
 */
export async function countUpstreamRequests(views: readonly BffView[]): Promise<Map<string, Record<string, number>>> {
  const stack = await startProxiedStack();
  try {
    const authorization = await benchAuthorization();
    const counts = new Map<string, Record<string, number>>();
    for (const view of views) {
      await checkView(stack.gateway.url, view, authorization); // warm: query plans cached
      stack.proxy.reset();
      await checkView(stack.gateway.url, view, authorization);
      const perUpstream: Record<string, number> = {};
      for (const call of stack.proxy.calls) perUpstream[call.upstream] = (perUpstream[call.upstream] ?? 0) + 1;
      counts.set(view.name, perUpstream);
    }
    return counts;
  } finally {
    await stack.close();
  }
}
