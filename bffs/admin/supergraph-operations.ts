import { loadOperations, operation } from '../kit/operations.ts';

/** The admin BFF's supergraph operations (operations/*.graphql), with the shapes they select. */

export type OrderStatus = 'PENDING' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

/** AdminUserFields. */
export interface AdminUserData {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly tier: string;
  readonly createdAt: string;
}

/** AdminOrderFields. */
export interface AdminOrderData {
  readonly id: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  readonly createdAt: string;
  readonly user: { readonly id: string };
  readonly items: ReadonlyArray<{ readonly quantity: number; readonly unitPriceCents: number; readonly product: { readonly id: string; readonly name: string } }>;
}

export const ops = loadOperations(new URL('./operations/', import.meta.url), {
  AdminSearchUsers: operation<{ readonly searchUsers: readonly AdminUserData[] }, { term: string; first: number }>(),
  AdminUser: operation<{ readonly user: AdminUserData | null }, { id: string }>(),
  AdminUserOrders: operation<{ readonly orders: readonly AdminOrderData[] }, { userId: string; status: OrderStatus[] | null; first: number }>(),
  AdminUpdateOrderStatus: operation<{ readonly updateOrderStatus: AdminOrderData }, { id: string; status: OrderStatus }>(),
  AdminCancelOrder: operation<{ readonly cancelOrder: AdminOrderData }, { id: string }>(),
});
