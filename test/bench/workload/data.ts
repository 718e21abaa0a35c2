/**
 * The workload's data: our own values, shaped and sized like the public
 * graphql-hive/graphql-gateways-benchmark subgraphs' data, so the TestQuery answer has the
 * same structure and (within a few bytes) the same ~55 KB: 6 users, 9 products, 11 reviews
 * whose bodies have the same lengths; every string that reaches the answer has the length
 * of its counterpart there.
 */

export interface User {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly birthday: number;
}

export interface Product {
  readonly upc: string;
  readonly name: string;
  readonly price: number;
  readonly weight: number;
}

export interface Review {
  readonly id: string;
  readonly body: string;
  readonly productUpc: string;
}

export const USERS: readonly User[] = [
  { id: '1', name: 'Alan M. Turing', username: 'alant', birthday: 1_200_000_001 },
  { id: '2', name: 'Joan Clarke', username: 'joanclarke', birthday: 1_200_000_002 },
  { id: '3', name: 'Niklaus Wirth', username: 'niklauswirth', birthday: 1_200_000_003 },
  { id: '4', name: 'Barbara Liskov', username: 'bliskov', birthday: 1_200_000_004 },
  { id: '5', name: 'John Backus', username: 'johnbackus', birthday: 1_200_000_005 },
  { id: '6', name: 'Grace Hopper', username: 'hopper', birthday: 1_200_000_006 },
];

export const PRODUCTS: readonly Product[] = [
  { upc: '1', name: 'Stool', price: 749, weight: 120 },
  { upc: '2', name: 'Bench', price: 1150, weight: 1500 },
  { upc: '3', name: 'Plate', price: 12, weight: 40 },
  { upc: '4', name: 'Shelf', price: 450, weight: 110 },
  { upc: '5', name: 'PC', price: 1899, weight: 1100 },
  { upc: '6', name: 'Oven', price: 5999, weight: 250 },
  { upc: '7', name: 'Clock', price: 2999, weight: 1800 },
  { upc: '8', name: 'Washer', price: 150_000, weight: 5500 },
  { upc: '9', name: 'Desk', price: 8999, weight: 700 },
];

/** inventory's own field, by upc. */
export const IN_STOCK: Readonly<Record<string, boolean>> = { '1': true, '2': true, '3': false, '4': true, '5': false, '6': true, '7': false, '8': true, '9': true };

const WORDS = [
  'sturdy', 'arrived', 'quickly', 'packaging', 'was', 'fine', 'and', 'the', 'finish', 'looks', 'better', 'than', 'pictured',
  'assembly', 'took', 'ten', 'minutes', 'with', 'no', 'tools', 'would', 'buy', 'again', 'for', 'a', 'friend', 'though',
  'colour', 'is', 'slightly', 'darker', 'customer', 'service', 'answered', 'every', 'question', 'within', 'an', 'hour',
  'after', 'two', 'months', 'of', 'daily', 'use', 'it', 'still', 'feels', 'new', 'price', 'fair', 'quality', 'solid',
];

/** A deterministic review text of exactly `length` characters (seeded by the review id). */
function reviewText(seed: number, length: number): string {
  let text = '';
  for (let i = 0; text.length < length; i++) {
    const word = WORDS[(seed * 7 + i * 13) % WORDS.length] ?? 'fine';
    text += i === 0 ? word[0]?.toUpperCase() + word.slice(1) : (i % 11 === 0 ? '. ' : ' ') + word;
  }
  return `${text.slice(0, length - 1)}.`;
}

/** Review bodies' lengths and products, as in the public benchmark. */
const REVIEW_SHAPES: ReadonlyArray<readonly [bodyLength: number, productUpc: string]> = [
  [445, '1'], [289, '1'], [275, '1'], [143, '1'],
  [445, '2'], [289, '2'], [275, '2'], [143, '2'],
  [143, '3'],
  [143, '4'], [844, '4'],
];

export const REVIEWS: readonly Review[] = REVIEW_SHAPES.map(([length, productUpc], i) => ({
  id: String(i + 1),
  body: reviewText(i + 1, length),
  productUpc,
}));

/**
 * As in the public benchmark, every review's author is user 1, and a user's reviews (whoever
 * the user) are the first two reviews: the answer fans out without growing with the ids.
 */
export const AUTHOR: User = USERS[0] as User;
export const USER_REVIEWS: readonly Review[] = REVIEWS.slice(0, 2);
