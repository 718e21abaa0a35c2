import { loadOperations, operation } from '../kit/operations.ts';
import type * as G from './operations.generated.ts';

/**
 * The admin BFF's supergraph operations (operations/*.graphql). Their result and variable
 * types are generated from the documents and the supergraph (`npm run codegen`): a
 * supergraph change that breaks what a resolver reads fails `tsc`.
 */

export type OrderStatus = G.OrderStatus;
export type AdminUserData = G.AdminUserFieldsFragment;
export type AdminOrderData = G.AdminOrderFieldsFragment;

export const ops = loadOperations(new URL('./operations/', import.meta.url), {
  AdminSearchUsers: operation<G.AdminSearchUsersQuery, G.AdminSearchUsersQueryVariables>(),
  AdminUser: operation<G.AdminUserQuery, G.AdminUserQueryVariables>(),
  AdminUserOrders: operation<G.AdminUserOrdersQuery, G.AdminUserOrdersQueryVariables>(),
  AdminUpdateOrderStatus: operation<G.AdminUpdateOrderStatusMutation, G.AdminUpdateOrderStatusMutationVariables>(),
  AdminCancelOrder: operation<G.AdminCancelOrderMutation, G.AdminCancelOrderMutationVariables>(),
});
