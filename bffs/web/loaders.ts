import type { LoaderDeps } from '../kit/bff-context.ts';
import { oncePerKey, productsById, usersById } from '../kit/loaders.ts';
import { executeOrThrow } from '../kit/supergraph-client.ts';
import { ops } from './supergraph-operations.ts';

/** How many orders the dashboard shows (and its analytics cover). */
export const RECENT_ORDERS = 20;

/** The web BFF's per-request loaders (see kit/loaders.ts: never shared across requests). */
export function createWebLoaders({ supergraph, request }: LoaderDeps) {
  return {
    /** Product cards by id: one WebProductCards operation per tick, whoever asks. */
    productCards: productsById(supergraph, request, ops.WebProductCards),
    /** Stock and shipping by product id: one WebProductAvailability operation per tick. */
    availability: productsById(supergraph, request, ops.WebProductAvailability),
    /** Customers by user id: one WebCustomers operation per tick. */
    customers: usersById(supergraph, request, ops.WebCustomers),
    /** A user's recent orders, fetched once for the dashboard's `orders` and `analytics`. */
    recentOrders: oncePerKey(async (userId: string) =>
      (await executeOrThrow(supergraph, ops.WebRecentOrders, { userId, first: RECENT_ORDERS }, request)).orders,
    ),
  };
}

export type WebLoaders = ReturnType<typeof createWebLoaders>;
