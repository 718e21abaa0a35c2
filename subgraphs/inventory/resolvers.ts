import { GraphQLError } from 'graphql';
import { countingLoader, type LoaderStats } from '../kit/loader-stats.ts';
import type { SubgraphContext, SubgraphResolvers } from '../kit/serve-subgraph.ts';
import { STOCK } from './data.ts';
import { shippingEstimateCents } from './shipping.ts';

export function createLoaders(stats: LoaderStats) {
  return {
    stock: countingLoader<string, number>(stats, 'Product', (ids) => ids.map((id) => STOCK.get(id))),
  };
}

export type InventoryLoaders = ReturnType<typeof createLoaders>;
type Ctx = SubgraphContext<InventoryLoaders>;

/** A representation from the gateway: the key, plus the @requires fields when asked for. */
interface ProductRef {
  readonly id: string;
  readonly priceCents?: number;
  readonly weightGrams?: number;
}

interface InventoryProduct extends ProductRef {
  readonly inStock: number;
}

export const resolvers: SubgraphResolvers<InventoryLoaders> = {
  Product: {
    __resolveReference: async (ref: ProductRef, ctx: Ctx): Promise<InventoryProduct | null> => {
      const inStock = await ctx.loaders.stock.load(ref.id);
      return inStock === null ? null : { ...ref, inStock };
    },
    shippingEstimateCents: (product: InventoryProduct) => {
      if (typeof product.priceCents !== 'number' || typeof product.weightGrams !== 'number') {
        // Only reachable by calling the subgraph directly without the @requires fields.
        throw new GraphQLError('shippingEstimateCents needs priceCents and weightGrams in the representation', {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      return shippingEstimateCents(product.priceCents, product.weightGrams);
    },
  },
};
