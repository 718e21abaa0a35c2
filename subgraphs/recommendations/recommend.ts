const PRODUCT_COUNT = 40;
export const DEFAULT_LIMIT = 5;
export const MAX_LIMIT = 20;

/**
 * Deterministic "recommendations": a string hash of the user id picks a start product,
 * then every 7th product after it (7 and 40 are coprime, so up to 40 distinct ids).
 * Any id gets an answer; the service does not own users.
 */
export function recommendFor(userId: string, limit: number): string[] {
  let h = 0;
  for (let i = 0; i < userId.length; i++) h = (h * 31 + userId.charCodeAt(i)) >>> 0;
  const start = h % PRODUCT_COUNT;
  return Array.from({ length: Math.min(limit, PRODUCT_COUNT) }, (_, k) => `p${((start + 7 * k) % PRODUCT_COUNT) + 1}`);
}
