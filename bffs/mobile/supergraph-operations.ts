import { loadOperations, operation } from '../kit/operations.ts';
import type * as G from './operations.generated.ts';

/**
 * The mobile BFF's supergraph operations (operations/*.graphql). Their result and variable
 * types are generated from the documents and the supergraph (`npm run codegen`): a
 * supergraph change that breaks what a resolver reads fails `tsc`.
 */

export type OrderStatus = G.OrderStatus;
export type MobileOrderData = G.MobileOrderQuery;

export const ops = loadOperations(new URL('./operations/', import.meta.url), {
  MobileHomeUser: operation<G.MobileHomeUserQuery, G.MobileHomeUserQueryVariables>(),
  MobileActiveOrders: operation<G.MobileActiveOrdersQuery, G.MobileActiveOrdersQueryVariables>(),
  MobileOrder: operation<G.MobileOrderQuery, G.MobileOrderQueryVariables>(),
});
