import { countingLoader, type LoaderStats } from '../kit/loader-stats.ts';
import { firstArg } from '../kit/graphql-errors.ts';
import type { SubgraphContext, SubgraphResolvers } from '../kit/serve-subgraph.ts';
import { averageRating, REVIEWS_BY_AUTHOR, REVIEWS_BY_ID, REVIEWS_BY_PRODUCT, type ReviewRecord } from './data.ts';

const NONE: readonly ReviewRecord[] = [];

export function createLoaders(stats: LoaderStats) {
  return {
    review: countingLoader<string, ReviewRecord>(stats, 'Review', (ids) => ids.map((id) => REVIEWS_BY_ID.get(id))),
    byProduct: countingLoader<string, readonly ReviewRecord[]>(stats, 'Product.reviews', (ids) =>
      ids.map((id) => REVIEWS_BY_PRODUCT.get(id) ?? NONE),
    ),
    byAuthor: countingLoader<string, readonly ReviewRecord[]>(stats, 'User.reviews', (ids) =>
      ids.map((id) => REVIEWS_BY_AUTHOR.get(id) ?? NONE),
    ),
  };
}

export type ReviewsLoaders = ReturnType<typeof createLoaders>;
type Ctx = SubgraphContext<ReviewsLoaders>;

export const resolvers: SubgraphResolvers<ReviewsLoaders> = {
  Query: {
    review: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.loaders.review.load(args.id),
  },
  Review: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.review.load(ref.id),
    product: (review: ReviewRecord) => ({ id: review.productId }),
    author: (review: ReviewRecord) => ({ id: review.authorId }),
  },
  // Reviews can speak for any product or user id: one nobody reviewed simply has none.
  Product: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    reviews: async (product: { id: string }, args: { first?: number | null }, ctx: Ctx) =>
      ((await ctx.loaders.byProduct.load(product.id)) ?? NONE).slice(0, firstArg(args.first, undefined)),
    averageRating: async (product: { id: string }, _: unknown, ctx: Ctx) => averageRating((await ctx.loaders.byProduct.load(product.id)) ?? NONE),
  },
  User: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    reviews: async (user: { id: string }, _: unknown, ctx: Ctx) => (await ctx.loaders.byAuthor.load(user.id)) ?? NONE,
  },
};
