import { countingLoader, type LoaderStats } from '../kit/loader-stats.ts';
import { firstArg } from '../kit/graphql-errors.ts';
import type { SubgraphContext, SubgraphResolvers } from '../kit/serve-subgraph.ts';
import { PRODUCTS, PRODUCTS_BY_ID, type ProductRecord } from './data.ts';

export function createLoaders(stats: LoaderStats) {
  return {
    product: countingLoader<string, ProductRecord>(stats, 'Product', (ids) => ids.map((id) => PRODUCTS_BY_ID.get(id))),
  };
}

export type ProductsLoaders = ReturnType<typeof createLoaders>;
type Ctx = SubgraphContext<ProductsLoaders>;

export const resolvers: SubgraphResolvers<ProductsLoaders> = {
  Query: {
    product: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.loaders.product.load(args.id),
    // Nullable items: a missing id answers null in its place, so callers can zip by index.
    products: async (_: unknown, args: { ids: readonly string[] }, ctx: Ctx) =>
      (await ctx.loaders.product.loadMany(args.ids)).map((p) => (p instanceof Error ? null : p)),
    topProducts: (_: unknown, args: { first?: number | null }) => PRODUCTS.slice(0, firstArg(args.first, 5)),
  },
  Product: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.product.load(ref.id),
  },
};
