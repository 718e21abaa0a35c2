/**
 * Seed, 61 reviews r1..r61, fixed: products p1..p20 get (n % 3) + 2 reviews each, numbered
 * in product order (p1: r1–r3, p2: r4–r7, p3: r8–r9, …); p21..p40 have none.
 * Review i: rating (3i % 5) + 1, author u((i-1) % 11 + 1) (u12 wrote none), created
 * 2024-02-01T08:00Z + i hours. So p1 has ratings 4, 2, 5 (average 3.67) and u1 wrote
 * r1, r12, r23, r34, r45, r56.
 */
export interface ReviewRecord {
  readonly id: string;
  readonly rating: number;
  readonly body: string;
  readonly productId: string;
  readonly authorId: string;
  readonly createdAt: string;
}

const BODIES = ['Disappointing.', 'Not great.', 'Does the job.', 'Very good.', 'Excellent!'] as const;
const FIRST_REVIEW_AT = Date.UTC(2024, 1, 1, 8);
const HOUR_MS = 3_600_000;

export const REVIEWS: readonly ReviewRecord[] = (() => {
  const reviews: ReviewRecord[] = [];
  let i = 0;
  for (let n = 1; n <= 20; n++) {
    for (let k = 0; k < (n % 3) + 2; k++) {
      i++;
      const rating = ((3 * i) % 5) + 1;
      reviews.push({
        id: `r${i}`,
        rating,
        body: `${BODIES[rating - 1] as string} (review ${i} of p${n})`,
        productId: `p${n}`,
        authorId: `u${((i - 1) % 11) + 1}`,
        createdAt: new Date(FIRST_REVIEW_AT + i * HOUR_MS).toISOString(),
      });
    }
  }
  return reviews;
})();

export const REVIEWS_BY_ID: ReadonlyMap<string, ReviewRecord> = new Map(REVIEWS.map((r) => [r.id, r]));

function groupBy(key: (r: ReviewRecord) => string): ReadonlyMap<string, readonly ReviewRecord[]> {
  const map = new Map<string, ReviewRecord[]>();
  for (const r of REVIEWS) {
    const list = map.get(key(r));
    if (list) list.push(r);
    else map.set(key(r), [r]);
  }
  return map;
}

export const REVIEWS_BY_PRODUCT = groupBy((r) => r.productId);
export const REVIEWS_BY_AUTHOR = groupBy((r) => r.authorId);

/** Mean rating rounded to two decimals, null without reviews. */
export function averageRating(reviews: readonly ReviewRecord[]): number | null {
  if (reviews.length === 0) return null;
  const mean = reviews.reduce((s, r) => s + r.rating, 0) / reviews.length;
  return Math.round(mean * 100) / 100;
}
