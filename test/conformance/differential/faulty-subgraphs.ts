import { GraphQLError } from 'graphql';
import type { CorpusOperation } from './corpus/project.ts';
import { serveSubgraph, type RunningSubgraph, type SubgraphDefinition, type SubgraphResolvers } from '../../../subgraphs/kit/serve-subgraph.ts';
import * as inventory from '../../../subgraphs/inventory/resolvers.ts';
import { seedOrders } from '../../../subgraphs/orders/data.ts';
import * as orders from '../../../subgraphs/orders/resolvers.ts';
import { OrderStore } from '../../../subgraphs/orders/store.ts';
import * as products from '../../../subgraphs/products/resolvers.ts';
import * as reviews from '../../../subgraphs/reviews/resolvers.ts';
import * as users from '../../../subgraphs/users/resolvers.ts';

/**
 * The demo subgraphs with faults injected: the same SDL, the same resolvers and seed data,
 * except that some fields of some entities throw (a GraphQLError with a code and extra
 * extensions, or a plain Error the subgraph reports as INTERNAL_SERVER_ERROR) or return null
 * where the schema says non-null. The subgraph then answers a GraphQL response with partial
 * data and errors at paths (inside `_entities` for entity fetches), which the gateway must
 * map back to the client's paths and propagate nulls from exactly as @apollo/gateway does.
 *
 * The entities are ones the corpora reach: p1/p2 are the top products and p1 has reviews
 * r1–r3 by u1–u3; order o1 holds p4 and p11.
 */
export type FaultySubgraphName = 'products' | 'reviews' | 'users' | 'inventory' | 'orders';

interface Fault {
  /** Of the parent object (for `__resolveReference`: the representation) and the field's arguments. */
  readonly when: (parent: Readonly<Record<string, unknown>>, args: Readonly<Record<string, unknown>>) => boolean;
  /** `graphql-error`: a GraphQLError with code INJECTED_FAULT; `plain-error`: an Error; `null`: null. */
  readonly answer: 'graphql-error' | 'plain-error' | 'null';
}

const id = (value: string) => (parent: Readonly<Record<string, unknown>>) => parent.id === value;
const arg = (name: string, value: unknown) => (_: unknown, args: Readonly<Record<string, unknown>>) => args[name] === value;

export const FAULTS: Readonly<Record<FaultySubgraphName, Readonly<Record<string, Fault | readonly Fault[]>>>> = {
  products: {
    'Product.name': { when: id('p2'), answer: 'graphql-error' },
    'Product.description': { when: id('p1'), answer: 'null' },
    'Product.__resolveReference': { when: id('p4'), answer: 'plain-error' },
    'Product.priceCents': { when: id('p11'), answer: 'graphql-error' },
    'Query.product': { when: arg('id', 'p6'), answer: 'graphql-error' },
  },
  reviews: {
    'Product.reviews': { when: id('p2'), answer: 'graphql-error' },
    'Product.averageRating': { when: id('p1'), answer: 'plain-error' },
    'Review.body': { when: id('r2'), answer: 'null' },
    'Review.author': { when: id('r3'), answer: 'null' },
    'User.reviews': { when: id('u2'), answer: 'graphql-error' },
  },
  users: {
    'User.__resolveReference': { when: id('u3'), answer: 'graphql-error' },
    'User.name': { when: id('u2'), answer: 'graphql-error' },
    'User.tier': { when: id('u1'), answer: 'null' },
    'Query.user': { when: arg('id', 'u5'), answer: 'plain-error' },
    'Query.searchUsers': { when: arg('term', 'ho'), answer: 'graphql-error' },
  },
  inventory: {
    'Product.__resolveReference': [
      { when: id('p5'), answer: 'graphql-error' },
      // No error, no entity: the gateway itself finds null where Int! is due (stock reports
      // that in the response's top-level `extensions.valueCompletion`).
      { when: id('p7'), answer: 'null' },
    ],
    'Product.shippingEstimateCents': { when: id('p1'), answer: 'graphql-error' },
    'Product.inStock': { when: id('p6'), answer: 'null' },
  },
  orders: {
    'Query.order': { when: arg('id', 'o2'), answer: 'graphql-error' },
    'Order.user': { when: id('o1'), answer: 'plain-error' },
    'OrderItem.quantity': { when: (item) => item.productId === 'p11', answer: 'null' },
    'User.orders': { when: id('u2'), answer: 'graphql-error' },
  },
};

/**
 * Operations written to reach every fault (the corpora reach most of them, not all): lists
 * of entities with nullable and non-null members, so null propagation stops at different
 * depths, and faulty entities beside healthy ones in one `_entities` batch.
 */
export const FAULT_PROBES: readonly CorpusOperation[] = [
  { query: '{ product(id: "p1") { id description name } topProducts(first: 3) { id name description } }' },
  { query: '{ user(id: "u5") { id name } users(ids: ["u1", "u5", "u2"]) { id tier name } }' },
  { query: '{ products(ids: ["p5", "p6", "p7"]) { id inStock shippingEstimateCents } }' },
  { query: '{ p7: product(id: "p7") { id name inStock } p8: product(id: "p8") { inStock } }' },
  { query: '{ products(ids: ["p1", "p2", "p6", "p404"]) { id name inStock averageRating reviews { id body author { name tier } } } }' },
  { query: '{ order(id: "o1") { id user { name } items { quantity product { name priceCents shippingEstimateCents } } } again: order(id: "o2") { id } }' },
  { query: '{ review(id: "r3") { id author { id name } product { averageRating } } r2: review(id: "r2") { id body } }' },
  { query: '{ searchUsers(term: "ho") { id } user(id: "u2") { id name reviews { id } orders(first: 2) { id } } }' },
  { query: 'query Probe($ids: [ID!]!) { products(ids: $ids) { ...P } } fragment P on Product { id priceCents shippingEstimateCents reviews(first: 1) { author { name } } }', variables: { ids: ['p11', 'p4', 'p1'] } },
].map((op, i) => ({ ...op, name: `fault probe #${i + 1}`, from: 'faulty-subgraphs.ts' }));

type Resolver = (...params: unknown[]) => unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function resolverOf(value: unknown): Resolver | undefined {
  if (typeof value === 'function') return value as Resolver;
  if (isRecord(value) && typeof value.resolve === 'function') return value.resolve as Resolver;
  return undefined;
}

/** `resolvers` with each fault wrapped around its field (or around the default resolver). */
export function withFaults<L>(subgraph: string, resolvers: SubgraphResolvers<L>, faults: Readonly<Record<string, Fault | readonly Fault[]>>): SubgraphResolvers<L> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [type, fields] of Object.entries(resolvers)) out[type] = { ...(fields as Record<string, unknown>) };
  for (const [coordinate, declared] of Object.entries(faults)) {
    const cases: readonly Fault[] = Array.isArray(declared) ? declared : [declared as Fault];
    const [type = '', field = ''] = coordinate.split('.');
    const fields = (out[type] ??= {});
    const original = resolverOf(fields[field]);
    const reference = field === '__resolveReference';
    fields[field] = (...params: unknown[]): unknown => {
      const parent = isRecord(params[0]) ? params[0] : {};
      const args = !reference && isRecord(params[1]) ? params[1] : {};
      const fault = cases.find((f) => f.when(parent, args));
      if (fault) {
        const what = `${subgraph}: injected fault in ${coordinate} for ${JSON.stringify(parent.id ?? args)}`;
        if (fault.answer === 'graphql-error') throw new GraphQLError(what, { extensions: { code: 'INJECTED_FAULT', coordinate, retryable: false } });
        if (fault.answer === 'plain-error') throw new Error(what);
        return null;
      }
      if (original) return original(...params);
      // No resolver of its own: graphql-js's default (the parent's property), or the
      // reference itself for an entity (what @apollo/subgraph does without one).
      return reference ? parent : parent[field];
    };
  }
  return out as SubgraphResolvers<L>;
}

/** One demo subgraph, faults injected, on a free loopback port (orders: a fresh store from the seed). */
export function startFaultySubgraph(name: FaultySubgraphName): Promise<RunningSubgraph> {
  const serve = <L>(def: SubgraphDefinition<L>): Promise<RunningSubgraph> =>
    serveSubgraph({ ...def, resolvers: withFaults(name, def.resolvers, FAULTS[name]) }, { host: '127.0.0.1', port: 0 });
  switch (name) {
    case 'products':
      return serve({ name, defaultPort: 0, resolvers: products.resolvers, createLoaders: products.createLoaders });
    case 'reviews':
      return serve({ name, defaultPort: 0, resolvers: reviews.resolvers, createLoaders: reviews.createLoaders });
    case 'users':
      return serve({ name, defaultPort: 0, resolvers: users.resolvers, createLoaders: users.createLoaders });
    case 'inventory':
      return serve({ name, defaultPort: 0, resolvers: inventory.resolvers, createLoaders: inventory.createLoaders });
    case 'orders': {
      const store = new OrderStore(seedOrders());
      return serve({ name, defaultPort: 0, resolvers: orders.createResolvers(store), createLoaders: (stats) => orders.createLoaders(store, stats) });
    }
    default: {
      const unreachable: never = name;
      throw new Error(`no subgraph ${String(unreachable)}`);
    }
  }
}
