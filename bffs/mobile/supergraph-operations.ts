import { loadOperations, operation } from '../kit/operations.ts';

/** The mobile BFF's supergraph operations (operations/*.graphql), with the shapes they select. */

export type OrderStatus = 'PENDING' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

export interface MobileHomeUserData {
  readonly me: { readonly id: string; readonly name: string; readonly avatarUrl: string } | null;
}

export interface MobileActiveOrdersData {
  readonly orders: ReadonlyArray<{
    readonly id: string;
    readonly status: OrderStatus;
    readonly totalCents: number;
    readonly currency: string;
    readonly createdAt: string;
    readonly items: ReadonlyArray<{ readonly quantity: number }>;
  }>;
}

export interface MobileOrderData {
  readonly order: {
    readonly id: string;
    readonly status: OrderStatus;
    readonly totalCents: number;
    readonly currency: string;
    readonly createdAt: string;
    readonly user: { readonly id: string };
    readonly items: ReadonlyArray<{
      readonly quantity: number;
      readonly unitPriceCents: number;
      readonly product: { readonly id: string; readonly name: string; readonly imageUrl: string };
    }>;
  } | null;
}

export const ops = loadOperations(new URL('./operations/', import.meta.url), {
  MobileHomeUser: operation<MobileHomeUserData>(),
  MobileActiveOrders: operation<MobileActiveOrdersData, { userId: string; first: number }>(),
  MobileOrder: operation<MobileOrderData, { id: string }>(),
});
