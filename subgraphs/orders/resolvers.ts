import { countingLoader, type LoaderStats } from '../kit/loader-stats.ts';
import { firstArg } from '../kit/graphql-errors.ts';
import type { SubgraphContext, SubgraphResolvers } from '../kit/serve-subgraph.ts';
import { isAdmin, mayRead, requireOwnOrder, requirePlacingFor, visible } from './access.ts';
import type { OrderItemRecord, OrderRecord, OrderStatus } from './data.ts';
import type { OrderStore, PlaceOrderItem } from './store.ts';

export function createLoaders(store: OrderStore, stats: LoaderStats) {
  return {
    order: countingLoader<string, OrderRecord>(stats, 'Order', (ids) => ids.map((id) => store.get(id))),
    // All users' orders in one pass over the store, however many User entities asked.
    ordersByUser: countingLoader<string, OrderRecord[]>(stats, 'User.orders', (userIds) => {
      const wanted = new Set(userIds);
      const byUser = new Map<string, OrderRecord[]>(userIds.map((id) => [id, []]));
      for (const o of store.list()) if (wanted.has(o.userId)) byUser.get(o.userId)?.push(o);
      return userIds.map((id) => byUser.get(id));
    }),
  };
}

export type OrdersLoaders = ReturnType<typeof createLoaders>;
type Ctx = SubgraphContext<OrdersLoaders>;

interface ListArgs {
  readonly status?: readonly OrderStatus[] | null;
  readonly first?: number | null;
}

function filterOrders(orders: readonly OrderRecord[], args: ListArgs, defaultFirst: number | undefined): OrderRecord[] {
  const statuses = args.status ? new Set(args.status) : undefined;
  const matching = statuses ? orders.filter((o) => statuses.has(o.status)) : [...orders];
  return matching.slice(0, firstArg(args.first, defaultFirst));
}

/** A mutation changed this order: later reads in the same request must not see the cached copy. */
function forget(ctx: Ctx, order: OrderRecord): OrderRecord {
  ctx.loaders.order.clear(order.id);
  ctx.loaders.ordersByUser.clear(order.userId);
  return order;
}

export function createResolvers(store: OrderStore): SubgraphResolvers<OrdersLoaders> {
  return {
    Query: {
      order: async (_: unknown, args: { id: string }, ctx: Ctx) => visible(ctx.identity, await ctx.loaders.order.load(args.id)),
      orders: (_: unknown, args: ListArgs & { userId?: string | null }, ctx: Ctx) => {
        const { identity } = ctx;
        // An admin lists anyone's (or everyone's); anyone else only their own.
        if (isAdmin(identity)) return filterOrders(store.list(args.userId), args, 20);
        if (identity.userId === null || (args.userId && args.userId !== identity.userId)) return [];
        return filterOrders(store.list(identity.userId), args, 20);
      },
    },
    Mutation: {
      placeOrder: (_: unknown, args: { userId: string; items: readonly PlaceOrderItem[] }, ctx: Ctx) => {
        requirePlacingFor(ctx.identity, args.userId);
        return forget(ctx, store.place(args.userId, args.items));
      },
      cancelOrder: (_: unknown, args: { id: string }, ctx: Ctx) => {
        requireOwnOrder(ctx.identity, store.get(args.id), args.id);
        return forget(ctx, store.cancel(args.id));
      },
      updateOrderStatus: (_: unknown, args: { id: string; status: OrderStatus }, ctx: Ctx) => {
        requireOwnOrder(ctx.identity, store.get(args.id), args.id);
        return forget(ctx, store.updateStatus(args.id, args.status));
      },
    },
    Order: {
      __resolveReference: async (ref: { id: string }, ctx: Ctx) => visible(ctx.identity, await ctx.loaders.order.load(ref.id)),
      user: (order: OrderRecord) => ({ id: order.userId }),
    },
    OrderItem: {
      product: (item: OrderItemRecord) => ({ id: item.productId }),
    },
    User: {
      // Orders knows every user id it is asked about; one with no orders has an empty list.
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      orders: async (user: { id: string }, args: ListArgs, ctx: Ctx) =>
        mayRead(ctx.identity, user.id) ? filterOrders((await ctx.loaders.ordersByUser.load(user.id)) ?? [], args, undefined) : [],
    },
  };
}
