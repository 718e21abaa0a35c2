import type { GraphQLResolveInfo } from 'graphql';
import { GatewayError } from '../../gateway/errors/gateway-error.ts';
import type { BffResolvers } from '../kit/attach-resolvers.ts';
import type { BffContext } from '../kit/bff-context.ts';
import { signedInUser } from '../kit/caller.ts';
import { formatMoney } from '../kit/format-money.ts';
import { withFallback } from '../kit/partial-failures.ts';
import { recommendedProductIds, unreadNotificationCount } from '../kit/rest-services.ts';
import { executeOrThrow } from '../kit/supergraph-client.ts';
import { spendAnalytics } from './analytics.ts';
import type { WebLoaders } from './loaders.ts';
import { ops, type AvailabilityData, type ProductCardData, type RecentOrder, type WebOrderData } from './supergraph-operations.ts';

type Ctx = BffContext<WebLoaders>;

const MAX_RECOMMENDATIONS = 20;

/** What `Query.dashboard` hands its fields: who the screen is for. Each field fetches its own part. */
interface DashboardSource {
  readonly userId: string;
}

type Order = NonNullable<WebOrderData['order']>;
type OrderLineSource = Order['items'][number] & { readonly currency: string };

/**
 * Parallel: the dashboard's parts are sibling fields, so GraphQL starts them together;
 * profile (users), orders (orders → products), recommendations (REST) and the unread
 * count (REST) are in flight at once. `orders` and `analytics` share one fetch (the
 * recentOrders loader).
 *
 * Sequential: a dependent step waits only for its own input. Recommended product ids come
 * from the recommendations service, then their cards from the supergraph; an order's
 * customer and lines wait for the order, then load side by side, every product id of the
 * screen batched into one operation.
 */
export const resolvers: BffResolvers<Ctx> = {
  Query: {
    dashboard: (_root: unknown, _args: unknown, ctx: Ctx): DashboardSource => ({ userId: signedInUser(ctx.request) }),
    orderDetail: async (_root: unknown, args: { id: string }, ctx: Ctx): Promise<Order | null> => {
      const userId = signedInUser(ctx.request);
      const { order } = await executeOrThrow(ctx.supergraph, ops.WebOrder, { id: args.id }, ctx.request);
      // Someone else's order is answered exactly like a missing one: ids are guessable.
      return order && order.user.id === userId ? order : null;
    },
  },

  Dashboard: {
    profile: async (_d: DashboardSource, _args: unknown, ctx: Ctx) => {
      const { me } = await executeOrThrow(ctx.supergraph, ops.WebProfile, {}, ctx.request);
      if (!me) throw new GatewayError('NOT_FOUND', 'The signed-in user has no profile');
      return { id: me.id, name: me.name, email: me.email, avatarUrl: me.avatarUrl, tier: me.tier, memberSince: me.createdAt };
    },
    orders: async (d: DashboardSource, _args: unknown, ctx: Ctx) => (await ctx.loaders.recentOrders.load(d.userId)).map(toOrderSummary),
    recommendations: async (d: DashboardSource, args: { limit: number }, ctx: Ctx, info: GraphQLResolveInfo) => {
      if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > MAX_RECOMMENDATIONS) {
        throw new GatewayError('BAD_USER_INPUT', `limit: 1 to ${MAX_RECOMMENDATIONS}`, { extensions: { field: 'limit' } });
      }
      return withFallback(ctx, info, { items: [], degraded: true }, async () => {
        const ids = await recommendedProductIds(ctx.rest, d.userId, args.limit, ctx.request);
        const cards = await ctx.loaders.productCards.loadMany(ids);
        // A product the catalog no longer has is dropped; a failed lookup degrades the part.
        const failed = cards.find((c): c is Error => c instanceof Error);
        if (failed) throw failed;
        return { items: cards.filter((c): c is ProductCardData => c !== null && !(c instanceof Error)).map(toProductCard), degraded: false };
      });
    },
    // Optional: nullable, so a failure answers null with an error entry.
    unreadNotifications: (d: DashboardSource, _args: unknown, ctx: Ctx) => unreadNotificationCount(ctx.rest, d.userId, ctx.request),
    analytics: async (d: DashboardSource, _args: unknown, ctx: Ctx) => spendAnalytics(await ctx.loaders.recentOrders.load(d.userId)),
  },

  OrderDetail: {
    formattedTotal: (order: Order) => formatMoney(order.totalCents, order.currency),
    placedAt: (order: Order) => order.createdAt,
    customer: async (order: Order, _args: unknown, ctx: Ctx) => {
      const customer = await ctx.loaders.customers.load(order.user.id);
      if (!customer) throw new GatewayError('NOT_FOUND', `The customer of order ${order.id} does not exist`);
      return customer;
    },
    lines: (order: Order): OrderLineSource[] => order.items.map((item) => ({ ...item, currency: order.currency })),
  },

  OrderDetailLine: {
    product: async (line: OrderLineSource, _args: unknown, ctx: Ctx) => {
      const card = await ctx.loaders.productCards.load(line.product.id);
      if (!card) throw new GatewayError('NOT_FOUND', `Product ${line.product.id} is no longer in the catalog`);
      return toProductCard(card);
    },
    formattedAmount: (line: OrderLineSource) => formatMoney(line.quantity * line.unitPriceCents, line.currency),
    // Optional: nullable, so an inventory failure answers null with an error entry.
    availability: async (line: OrderLineSource, _args: unknown, ctx: Ctx) => {
      const availability = await ctx.loaders.availability.load(line.product.id);
      return availability ? toAvailability(availability, line.currency) : null;
    },
  },
};

function toOrderSummary(order: RecentOrder) {
  return {
    id: order.id,
    status: order.status,
    totalCents: order.totalCents,
    formattedTotal: formatMoney(order.totalCents, order.currency),
    placedAt: order.createdAt,
    itemCount: order.items.reduce((n, item) => n + item.quantity, 0),
    lines: order.items.map((item) => ({
      productId: item.product.id,
      name: item.product.name,
      category: item.product.category,
      quantity: item.quantity,
      unitPriceCents: item.unitPriceCents,
    })),
  };
}

function toProductCard(p: ProductCardData) {
  return { ...p, formattedPrice: formatMoney(p.priceCents, p.currency) };
}

function toAvailability(a: AvailabilityData, currency: string) {
  return {
    inStock: a.inStock,
    shippingEstimateCents: a.shippingEstimateCents,
    formattedShipping: a.shippingEstimateCents === 0 ? 'Free' : formatMoney(a.shippingEstimateCents, currency),
  };
}
