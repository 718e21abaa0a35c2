import { badUserInput, notFound } from '../kit/graphql-errors.ts';
import { PRODUCTS_BY_ID } from '../products/data.ts';
import { USERS_BY_ID } from '../users/data.ts';
import { totalOf, type OrderItemRecord, type OrderRecord, type OrderStatus } from './data.ts';

const MAX_ITEMS = 20;
const MAX_QUANTITY = 99;
const CANCELLABLE: ReadonlySet<OrderStatus> = new Set(['PENDING', 'PAID']);
const FINAL: ReadonlySet<OrderStatus> = new Set(['DELIVERED', 'CANCELLED']);
// Placed orders get timestamps from a logical clock (one second apart from 2025-01-01) so a
// run of tests sees the same data every time; they still sort after every seeded order.
const LOGICAL_EPOCH = Date.UTC(2025, 0, 1);

export interface PlaceOrderItem {
  readonly productId: string;
  readonly quantity: number;
}

/** The orders of one process: the seed, then whatever mutations did to it. */
export class OrderStore {
  readonly #byId = new Map<string, OrderRecord>();
  #nextId: number;
  #placed = 0;

  constructor(seed: readonly OrderRecord[]) {
    for (const o of seed) this.#byId.set(o.id, o);
    this.#nextId = seed.length + 1;
  }

  get(id: string): OrderRecord | undefined {
    return this.#byId.get(id);
  }

  /** Newest first (createdAt, then id), optionally one user's. */
  list(userId?: string | null): OrderRecord[] {
    const all = [...this.#byId.values()].filter((o) => !userId || o.userId === userId);
    return all.sort((a, b) => (a.createdAt === b.createdAt ? numeric(b.id) - numeric(a.id) : a.createdAt < b.createdAt ? 1 : -1));
  }

  place(userId: string, input: readonly PlaceOrderItem[]): OrderRecord {
    if (!USERS_BY_ID.has(userId)) throw badUserInput(`unknown user ${userId}`, 'userId');
    if (input.length === 0 || input.length > MAX_ITEMS) throw badUserInput(`an order has 1 to ${MAX_ITEMS} items`, 'items');
    const seen = new Set<string>();
    const items: OrderItemRecord[] = input.map((item) => {
      const product = PRODUCTS_BY_ID.get(item.productId);
      if (!product) throw badUserInput(`unknown product ${item.productId}`, 'items');
      if (seen.has(item.productId)) throw badUserInput(`product ${item.productId} is listed twice`, 'items');
      seen.add(item.productId);
      if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
        throw badUserInput(`quantity must be 1 to ${MAX_QUANTITY}, got ${item.quantity}`, 'items');
      }
      return { productId: product.id, quantity: item.quantity, unitPriceCents: product.priceCents };
    });
    const order: OrderRecord = {
      id: `o${this.#nextId++}`,
      userId,
      items,
      status: 'PENDING',
      totalCents: totalOf(items),
      currency: 'USD',
      createdAt: new Date(LOGICAL_EPOCH + 1000 * this.#placed++).toISOString(),
    };
    this.#byId.set(order.id, order);
    return order;
  }

  cancel(id: string): OrderRecord {
    const order = this.#require(id);
    if (!CANCELLABLE.has(order.status)) throw badUserInput(`order ${id} is ${order.status} and can no longer be cancelled`, 'id');
    return this.#set({ ...order, status: 'CANCELLED' });
  }

  updateStatus(id: string, status: OrderStatus): OrderRecord {
    const order = this.#require(id);
    if (order.status === status) return order;
    if (FINAL.has(order.status)) throw badUserInput(`order ${id} is ${order.status}, which is final`, 'status');
    return this.#set({ ...order, status });
  }

  #require(id: string): OrderRecord {
    const order = this.#byId.get(id);
    if (!order) throw notFound(`no order ${id}`);
    return order;
  }

  #set(order: OrderRecord): OrderRecord {
    this.#byId.set(order.id, order);
    return order;
  }
}

function numeric(id: string): number {
  return Number(id.slice(1));
}
