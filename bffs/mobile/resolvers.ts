import { GatewayError } from '../../gateway/errors/gateway-error.ts';
import type { BffResolvers } from '../kit/attach-resolvers.ts';
import type { BffContext } from '../kit/bff-context.ts';
import { signedInUser } from '../kit/caller.ts';
import { formatMoney } from '../kit/format-money.ts';
import { unreadNotificationCount } from '../kit/rest-services.ts';
import { executeOrThrow } from '../kit/supergraph-client.ts';
import { ops, type MobileOrderData, type OrderStatus } from './supergraph-operations.ts';

/** Mobile needs no DataLoaders: each screen is one or two supergraph operations. */
export type MobileLoaders = Record<string, never>;
type Ctx = BffContext<MobileLoaders>;

const ACTIVE_ORDERS_SHOWN = 5;

/** What `Query.home` hands its fields: who the screen is for. Each field fetches its own part. */
interface HomeSource {
  readonly userId: string;
}

interface ActiveOrder {
  readonly id: string;
  readonly status: OrderStatus;
  readonly formattedTotal: string;
  readonly itemCount: number;
  readonly placedAt: string;
}

/**
 * Home's three parts are sibling fields, so GraphQL starts them together: the user (users
 * subgraph), the active orders (orders subgraph) and the unread count (notifications REST)
 * are fetched concurrently, and the screen takes as long as the slowest, not their sum.
 */
export const resolvers: BffResolvers<Ctx> = {
  Query: {
    home: (_root: unknown, _args: unknown, ctx: Ctx): HomeSource => ({ userId: signedInUser(ctx.request) }),
    order: async (_root: unknown, args: { id: string }, ctx: Ctx) => {
      const userId = signedInUser(ctx.request);
      const { order } = await executeOrThrow(ctx.supergraph, ops.MobileOrder, { id: args.id }, ctx.request);
      // Someone else's order is answered exactly like a missing one: ids are guessable.
      return order && order.user.id === userId ? toOrderScreen(order) : null;
    },
  },
  Home: {
    user: async (_home: HomeSource, _args: unknown, ctx: Ctx) => {
      const { me } = await executeOrThrow(ctx.supergraph, ops.MobileHomeUser, {}, ctx.request);
      if (!me) throw new GatewayError('NOT_FOUND', 'The signed-in user has no profile');
      return { name: me.name, avatarUrl: me.avatarUrl };
    },
    activeOrders: async (home: HomeSource, _args: unknown, ctx: Ctx): Promise<ActiveOrder[]> => {
      const { orders } = await executeOrThrow(ctx.supergraph, ops.MobileActiveOrders, { userId: home.userId, first: ACTIVE_ORDERS_SHOWN }, ctx.request);
      return orders.map((o) => ({
        id: o.id,
        status: o.status,
        formattedTotal: formatMoney(o.totalCents, o.currency),
        itemCount: o.items.reduce((n, item) => n + item.quantity, 0),
        placedAt: o.createdAt,
      }));
    },
    // Optional: nullable, so a failure answers null with an error entry (kit/partial-failures.ts).
    unreadNotifications: (home: HomeSource, _args: unknown, ctx: Ctx) => unreadNotificationCount(ctx.rest, home.userId, ctx.request),
  },
};

function toOrderScreen(order: NonNullable<MobileOrderData['order']>) {
  return {
    id: order.id,
    status: order.status,
    formattedTotal: formatMoney(order.totalCents, order.currency),
    placedAt: order.createdAt,
    lines: order.items.map((item) => ({
      productId: item.product.id,
      name: item.product.name,
      imageUrl: item.product.imageUrl,
      quantity: item.quantity,
      formattedAmount: formatMoney(item.quantity * item.unitPriceCents, order.currency),
    })),
  };
}
