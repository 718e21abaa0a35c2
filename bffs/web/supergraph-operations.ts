import { loadOperations, operation } from '../kit/operations.ts';
import type * as G from './operations.generated.ts';

/**
 * The web BFF's supergraph operations (operations/*.graphql). Their result and variable
 * types are generated from the documents and the supergraph (`npm run codegen`): a
 * supergraph change that breaks what a resolver reads fails `tsc`.
 */

export type OrderStatus = G.OrderStatus;
export type RecentOrder = G.WebRecentOrdersQuery['orders'][number];
export type ProductCardData = NonNullable<G.WebProductCardsQuery['products'][number]>;
export type AvailabilityData = NonNullable<G.WebProductAvailabilityQuery['products'][number]>;
export type WebOrderData = G.WebOrderQuery;
export type CustomerData = G.WebCustomersQuery['users'][number];

export const ops = loadOperations(new URL('./operations/', import.meta.url), {
  WebProfile: operation<G.WebProfileQuery, G.WebProfileQueryVariables>(),
  WebRecentOrders: operation<G.WebRecentOrdersQuery, G.WebRecentOrdersQueryVariables>(),
  WebProductCards: operation<G.WebProductCardsQuery, G.WebProductCardsQueryVariables>(),
  WebProductAvailability: operation<G.WebProductAvailabilityQuery, G.WebProductAvailabilityQueryVariables>(),
  WebOrder: operation<G.WebOrderQuery, G.WebOrderQueryVariables>(),
  WebCustomers: operation<G.WebCustomersQuery, G.WebCustomersQueryVariables>(),
});
