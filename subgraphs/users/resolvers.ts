import { countingLoader, type LoaderStats } from '../kit/loader-stats.ts';
import { firstArg } from '../kit/graphql-errors.ts';
import type { SubgraphContext, SubgraphResolvers } from '../kit/serve-subgraph.ts';
import { USERS, USERS_BY_ID, type UserRecord } from './data.ts';

export function createLoaders(stats: LoaderStats) {
  return {
    user: countingLoader<string, UserRecord>(stats, 'User', (ids) => ids.map((id) => USERS_BY_ID.get(id))),
  };
}

export type UsersLoaders = ReturnType<typeof createLoaders>;
type Ctx = SubgraphContext<UsersLoaders>;

export const resolvers: SubgraphResolvers<UsersLoaders> = {
  Query: {
    me: (_: unknown, __: unknown, ctx: Ctx) => (ctx.identity.userId ? ctx.loaders.user.load(ctx.identity.userId) : null),
    user: (_: unknown, args: { id: string }, ctx: Ctx) => ctx.loaders.user.load(args.id),
    users: async (_: unknown, args: { ids?: readonly string[] | null }, ctx: Ctx) => {
      if (!args.ids) return USERS;
      const found = await ctx.loaders.user.loadMany(args.ids);
      return found.filter((u): u is UserRecord => u !== null && !(u instanceof Error));
    },
    searchUsers: (_: unknown, args: { term: string; first?: number | null }) => {
      const term = args.term.trim().toLowerCase();
      const limit = firstArg(args.first, 10) ?? 10;
      if (term === '') return [];
      return USERS.filter((u) => u.name.toLowerCase().includes(term) || u.email.toLowerCase().includes(term)).slice(0, limit);
    },
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.user.load(ref.id),
  },
};
