import { readFileSync } from 'node:fs';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { AUTHOR, IN_STOCK, PRODUCTS, REVIEWS, USER_REVIEWS, USERS, type Review } from './data.ts';
import { serveWorkloadSubgraph, type ServedSubgraph } from './serve.ts';

/**
 * The four subgraphs of the public graphql-hive/graphql-gateways-benchmark workload
 * (accounts, inventory, products, reviews), our own TypeScript on @apollo/subgraph with the
 * same schema shape and data of the same shape and size. One difference, on purpose:
 * inventory computes `shippingEstimate` from the `price` and `weight` its @requires brings
 * (the public benchmark's inventory ignores them and always answers null), so a gateway that
 * gets @requires wrong gives a different answer.
 */
export const WORKLOAD_SUBGRAPH_NAMES = ['accounts', 'inventory', 'products', 'reviews'] as const;
export type WorkloadSubgraphName = (typeof WORKLOAD_SUBGRAPH_NAMES)[number];

export function workloadSubgraphSdl(name: WorkloadSubgraphName): string {
  return readFileSync(new URL(`schema/${name}.graphql`, import.meta.url), 'utf8');
}

type Resolvers = GraphQLResolverMap<unknown>;
interface Ref {
  readonly [field: string]: unknown;
}
const str = (ref: Ref, field: string): string => String(ref[field]);

/** A Review as the reviews subgraph returns it: `product` is a reference by upc. */
const reviewOut = (r: Review): { id: string; body: string; product: { upc: string } } => ({ id: r.id, body: r.body, product: { upc: r.productUpc } });

const RESOLVERS: Record<WorkloadSubgraphName, Resolvers> = {
  accounts: {
    Query: {
      me: () => USERS[0],
      user: (_: unknown, args: Ref) => USERS.find((u) => u.id === str(args, 'id')) ?? null,
      users: () => USERS,
    },
    User: {
      __resolveReference: (ref: Ref) => USERS.find((u) => u.id === str(ref, 'id')) ?? null,
    },
  },
  inventory: {
    Product: {
      __resolveReference: (ref: Ref) => ({ ...ref, inStock: IN_STOCK[str(ref, 'upc')] ?? null }),
      shippingEstimate: (product: Ref) => {
        const { price, weight } = product;
        if (typeof price !== 'number') return null;
        if (price > 1000) return 0;
        return typeof weight === 'number' ? Math.trunc(weight / 2) : null;
      },
    },
  },
  products: {
    Query: {
      topProducts: (_: unknown, args: Ref) => PRODUCTS.slice(0, typeof args.first === 'number' ? Math.max(0, args.first) : 5),
    },
    Product: {
      __resolveReference: (ref: Ref) => PRODUCTS.find((p) => p.upc === str(ref, 'upc')) ?? null,
    },
  },
  reviews: {
    Review: {
      __resolveReference: (ref: Ref) => {
        const review = REVIEWS.find((r) => r.id === str(ref, 'id'));
        return review ? reviewOut(review) : null;
      },
      // Every author is user 1, with the username this subgraph @provides.
      author: () => ({ id: AUTHOR.id, username: AUTHOR.username }),
    },
    User: {
      __resolveReference: (ref: Ref) => ({ id: str(ref, 'id') }),
      reviews: () => USER_REVIEWS.map(reviewOut),
    },
    Product: {
      __resolveReference: (ref: Ref) => ({ upc: str(ref, 'upc') }),
      reviews: (product: Ref) => REVIEWS.filter((r) => r.productUpc === str(product, 'upc')).map(reviewOut),
    },
  },
};

export interface WorkloadSubgraphs {
  /** Routing URL of each subgraph, by name: `http://127.0.0.1:<port>/graphql`. */
  readonly urls: Record<WorkloadSubgraphName, string>;
  /** POST /graphql requests each subgraph received since start (also `GET /__requests`). */
  requests(): Record<WorkloadSubgraphName, number>;
  close(): Promise<void>;
}

/** Starts the four workload subgraphs in this process, each on a free loopback port. */
export async function startWorkloadSubgraphs(options: { host?: string } = {}): Promise<WorkloadSubgraphs> {
  const served: ServedSubgraph[] = [];
  try {
    for (const name of WORKLOAD_SUBGRAPH_NAMES) served.push(await serveWorkloadSubgraph(name, workloadSubgraphSdl(name), RESOLVERS[name], options.host));
  } catch (error) {
    await Promise.all(served.map((s) => s.close()));
    throw error;
  }
  const byName = <T>(f: (s: ServedSubgraph) => T): Record<WorkloadSubgraphName, T> =>
    Object.fromEntries(served.map((s) => [s.name, f(s)])) as Record<WorkloadSubgraphName, T>;
  return {
    urls: byName((s) => s.url),
    requests: () => byName((s) => s.requests()),
    close: async () => {
      await Promise.all(served.map((s) => s.close()));
    },
  };
}

/** `GET /__requests` of each subgraph (when they run in another process). */
export async function fetchWorkloadRequests(urls: Readonly<Record<string, string>>): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      const res = await fetch(new URL('/__requests', url));
      const body = (await res.json()) as { requests: number };
      return [name, body.requests] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** The last `n` request bodies one subgraph received (at most 64), oldest first. */
export async function fetchRecentRequests(url: string, n: number): Promise<string[]> {
  if (n <= 0) return [];
  const res = await fetch(new URL(`/__requests?recent=${n}`, url));
  return ((await res.json()) as { recent?: string[] }).recent ?? [];
}
