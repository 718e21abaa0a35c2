import { GatewayError } from '../../gateway/errors/gateway-error.ts';
import type { BffResolvers } from '../kit/attach-resolvers.ts';
import type { BffContext } from '../kit/bff-context.ts';
import { formatMoney } from '../kit/format-money.ts';
import { executeOrThrow } from '../kit/supergraph-client.ts';
import { ops, type AdminOrderData, type OrderStatus } from './supergraph-operations.ts';

/** Admin needs no DataLoaders: each view is one or two supergraph operations. */
export type AdminLoaders = Record<string, never>;
type Ctx = BffContext<AdminLoaders>;

const MAX_SEARCH = 50;
const MAX_ORDERS = 100;

/**
 * Who may call is the door's business (role `admin`); these resolvers only compose. The
 * mutations are supergraph mutations: the subgraph fetch the planner makes for them is
 * marked non-idempotent, so the upstream pipeline never retries it.
 */
export const resolvers: BffResolvers<Ctx> = {
  Query: {
    searchUsers: async (_root: unknown, args: { term: string; first: number }, ctx: Ctx) => {
      const first = boundedCount(args.first, MAX_SEARCH);
      return (await executeOrThrow(ctx.supergraph, ops.AdminSearchUsers, { term: args.term, first }, ctx.request)).searchUsers;
    },
    // The user and their orders are independent: both are fetched at once.
    userOrders: async (_root: unknown, args: { userId: string; status?: OrderStatus[] | null; first: number }, ctx: Ctx) => {
      const first = boundedCount(args.first, MAX_ORDERS);
      const [{ user }, { orders }] = await Promise.all([
        executeOrThrow(ctx.supergraph, ops.AdminUser, { id: args.userId }, ctx.request),
        executeOrThrow(ctx.supergraph, ops.AdminUserOrders, { userId: args.userId, status: args.status ?? null, first }, ctx.request),
      ]);
      return user ? { user, orders: orders.map(toAdminOrder) } : null;
    },
  },
  Mutation: {
    updateOrderStatus: async (_root: unknown, args: { id: string; status: OrderStatus }, ctx: Ctx) =>
      toAdminOrder((await executeOrThrow(ctx.supergraph, ops.AdminUpdateOrderStatus, args, ctx.request)).updateOrderStatus),
    cancelOrder: async (_root: unknown, args: { id: string }, ctx: Ctx) =>
      toAdminOrder((await executeOrThrow(ctx.supergraph, ops.AdminCancelOrder, args, ctx.request)).cancelOrder),
  },
};

function toAdminOrder(order: AdminOrderData) {
  return {
    id: order.id,
    customerId: order.user.id,
    status: order.status,
    totalCents: order.totalCents,
    formattedTotal: formatMoney(order.totalCents, order.currency),
    createdAt: order.createdAt,
    lines: order.items.map((item) => ({ productId: item.product.id, name: item.product.name, quantity: item.quantity, unitPriceCents: item.unitPriceCents })),
  };
}

function boundedCount(first: number, max: number): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw new GatewayError('BAD_USER_INPUT', `first: 1 to ${max}`, { extensions: { field: 'first' } });
  }
  return first;
}
