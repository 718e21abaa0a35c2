import type { RequestContext } from '../../gateway/context/request-context.ts';
import { DecodeError, type RestClient } from './rest-client.ts';

/**
 * The REST-only services BFFs read, one typed function per endpoint, each naming the
 * service (a `config.routes` name) and the path, so a resolver that calls one says where
 * its data comes from. Bodies are checked, not cast: a service that changes its shape
 * fails as UPSTREAM_BAD_RESPONSE instead of leaking `undefined` into a screen.
 */

/** notifications: `GET /users/:id/unread-count` → `{ userId, unread }`. */
export function unreadNotificationCount(rest: RestClient, userId: string, ctx: RequestContext): Promise<number> {
  return rest.getJson('notifications', `/users/${encodeURIComponent(userId)}/unread-count`, ctx, (body) => {
    const unread = field(body, 'unread');
    if (typeof unread !== 'number' || !Number.isInteger(unread) || unread < 0) throw new DecodeError('unread: expected a count');
    return unread;
  });
}

/** recommendations: `GET /users/:id/recommendations?limit=N` → `{ userId, productIds }`, best first. */
export function recommendedProductIds(rest: RestClient, userId: string, limit: number, ctx: RequestContext): Promise<string[]> {
  return rest.getJson('recommendations', `/users/${encodeURIComponent(userId)}/recommendations?limit=${limit}`, ctx, (body) => {
    const ids = field(body, 'productIds');
    if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === 'string')) throw new DecodeError('productIds: expected a list of ids');
    return ids;
  });
}

function field(body: unknown, name: string): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}
