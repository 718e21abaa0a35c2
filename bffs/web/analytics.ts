import { formatMoney } from '../kit/format-money.ts';
import type { OrderStatus, RecentOrder } from './supergraph-operations.ts';

export interface SpendBucket {
  readonly key: string;
  readonly totalCents: number;
  readonly formattedTotal: string;
  readonly orderCount: number;
}

export interface SpendAnalytics {
  readonly currency: string;
  readonly totalSpentCents: number;
  readonly formattedTotalSpent: string;
  readonly byMonth: readonly SpendBucket[];
  readonly byCategory: readonly SpendBucket[];
  readonly byStatus: ReadonlyArray<{ readonly status: OrderStatus; readonly orderCount: number; readonly totalCents: number }>;
}

const STATUSES: readonly OrderStatus[] = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'];
const DEFAULT_CURRENCY = 'USD';

/**
 * The dashboard's analytics, computed here from the orders the dashboard already has (no
 * extra upstream call). Spend leaves CANCELLED orders out, and counts only orders in the
 * currency of the most recent one (amounts in different currencies do not add up).
 * Category spend is per line (quantity × unit price), so an order can count in several.
 */
export function spendAnalytics(orders: readonly RecentOrder[]): SpendAnalytics {
  const currency = orders[0]?.currency ?? DEFAULT_CURRENCY;
  const spent = orders.filter((o) => o.status !== 'CANCELLED' && o.currency === currency);
  const byMonth = new Map<string, { total: number; orders: Set<string> }>();
  const byCategory = new Map<string, { total: number; orders: Set<string> }>();
  const add = (map: typeof byMonth, key: string, cents: number, orderId: string): void => {
    const bucket = map.get(key) ?? { total: 0, orders: new Set<string>() };
    bucket.total += cents;
    bucket.orders.add(orderId);
    map.set(key, bucket);
  };
  for (const order of spent) {
    add(byMonth, order.createdAt.slice(0, 7), order.totalCents, order.id);
    for (const item of order.items) add(byCategory, item.product.category, item.quantity * item.unitPriceCents, order.id);
  }
  const buckets = (map: typeof byMonth) =>
    [...map].map(([key, b]) => ({ key, totalCents: b.total, formattedTotal: formatMoney(b.total, currency), orderCount: b.orders.size }));
  const totalSpentCents = spent.reduce((sum, o) => sum + o.totalCents, 0);
  return {
    currency,
    totalSpentCents,
    formattedTotalSpent: formatMoney(totalSpentCents, currency),
    byMonth: buckets(byMonth).sort((a, b) => (a.key < b.key ? -1 : 1)),
    byCategory: buckets(byCategory).sort((a, b) => b.totalCents - a.totalCents || (a.key < b.key ? -1 : 1)),
    byStatus: STATUSES.map((status) => {
      const matching = orders.filter((o) => o.status === status);
      return { status, orderCount: matching.length, totalCents: matching.reduce((sum, o) => sum + o.totalCents, 0) };
    }),
  };
}
