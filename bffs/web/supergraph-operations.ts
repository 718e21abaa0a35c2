import { loadOperations, operation } from '../kit/operations.ts';

/** The web BFF's supergraph operations (operations/*.graphql), with the shapes they select. */

export type OrderStatus = 'PENDING' | 'PAID' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

export interface WebProfileData {
  readonly me: {
    readonly id: string;
    readonly name: string;
    readonly email: string;
    readonly avatarUrl: string;
    readonly tier: string;
    readonly createdAt: string;
  } | null;
}

export interface RecentOrder {
  readonly id: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  readonly createdAt: string;
  readonly items: ReadonlyArray<{
    readonly quantity: number;
    readonly unitPriceCents: number;
    readonly product: { readonly id: string; readonly name: string; readonly category: string };
  }>;
}

export interface WebRecentOrdersData {
  readonly orders: readonly RecentOrder[];
}

export interface ProductCardData {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly imageUrl: string;
  readonly category: string;
}

export interface AvailabilityData {
  readonly id: string;
  readonly inStock: number;
  readonly shippingEstimateCents: number;
}

export interface WebOrderData {
  readonly order: {
    readonly id: string;
    readonly status: OrderStatus;
    readonly totalCents: number;
    readonly currency: string;
    readonly createdAt: string;
    readonly user: { readonly id: string };
    readonly items: ReadonlyArray<{ readonly quantity: number; readonly unitPriceCents: number; readonly product: { readonly id: string } }>;
  } | null;
}

export interface CustomerData {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly avatarUrl: string;
}

type Ids = { ids: string[] };

export const ops = loadOperations(new URL('./operations/', import.meta.url), {
  WebProfile: operation<WebProfileData>(),
  WebRecentOrders: operation<WebRecentOrdersData, { userId: string; first: number }>(),
  WebProductCards: operation<{ readonly products: ReadonlyArray<ProductCardData | null> }, Ids>(),
  WebProductAvailability: operation<{ readonly products: ReadonlyArray<AvailabilityData | null> }, Ids>(),
  WebOrder: operation<WebOrderData, { id: string }>(),
  WebCustomers: operation<{ readonly users: readonly CustomerData[] }, Ids>(),
});
