import { PRODUCTS_BY_ID } from '../products/data.ts';

export type OrderStatus = 'PENDING' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';
export const ACTIVE_STATUSES: readonly OrderStatus[] = ['PENDING', 'PAID', 'SHIPPED'];

export interface OrderItemRecord {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface OrderRecord {
  readonly id: string;
  readonly userId: string;
  readonly items: readonly OrderItemRecord[];
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  readonly createdAt: string;
}

// Order n's status is STATUS_CYCLE[(n-1) % 6].
const STATUS_CYCLE: readonly OrderStatus[] = ['DELIVERED', 'SHIPPED', 'PAID', 'PENDING', 'DELIVERED', 'CANCELLED'];
const DAY_MS = 86_400_000;
const FIRST_ORDER_AT = Date.UTC(2024, 0, 1, 12);

/**
 * Seed, 44 orders, rebuilt on every start (mutations change a copy):
 *   o1..o24   belong to u1 (8 DELIVERED, 4 each SHIPPED/PAID/PENDING/CANCELLED → 12 active)
 *   o25..o44  two each for u2..u11 (o25,o26 → u2; …; o43,o44 → u11); u12 has none
 *   order n   status STATUS_CYCLE[(n-1) % 6]; (n % 4) + 1 items; item j (from 0) is product
 *             p((3n + 7j) % 40 + 1) × ((n + j) % 3 + 1) at the product's price;
 *             created 2024-01-01T12:00Z + (n-1) days (o24 is u1's newest)
 * e.g. o1 = 2 × p4 (3999) + 3 × p11 (10999) = 40995 cents, DELIVERED.
 */
export function seedOrders(): OrderRecord[] {
  const orders: OrderRecord[] = [];
  for (let n = 1; n <= 44; n++) {
    const userId = n <= 24 ? 'u1' : `u${2 + Math.floor((n - 25) / 2)}`;
    const items: OrderItemRecord[] = [];
    for (let j = 0; j < (n % 4) + 1; j++) {
      const productId = `p${((3 * n + 7 * j) % 40) + 1}`;
      items.push({ productId, quantity: ((n + j) % 3) + 1, unitPriceCents: priceOf(productId) });
    }
    orders.push({
      id: `o${n}`,
      userId,
      items,
      status: STATUS_CYCLE[(n - 1) % STATUS_CYCLE.length] as OrderStatus,
      totalCents: totalOf(items),
      currency: 'USD',
      createdAt: new Date(FIRST_ORDER_AT + (n - 1) * DAY_MS).toISOString(),
    });
  }
  return orders;
}

export function totalOf(items: readonly OrderItemRecord[]): number {
  return items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0);
}

/**
 * Orders does not own prices. A real orders service would ask products (or a pricing
 * service) when an order is placed; the demo reads the same seed products serves.
 */
export function priceOf(productId: string): number {
  const product = PRODUCTS_BY_ID.get(productId);
  if (!product) throw new Error(`unknown product ${productId}`);
  return product.priceCents;
}
