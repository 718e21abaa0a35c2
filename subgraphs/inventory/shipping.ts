/** Orders of a product priced at this or more ship free. */
export const FREE_SHIPPING_FROM_CENTS = 5000;
const BASE_CENTS = 299;
const PER_STARTED_100_GRAMS_CENTS = 50;

/**
 * The shipping estimate needs products' price and weight, which inventory does not own:
 * the schema @requires them, so the query planner fetches them from products and hands
 * them over in the entity representation. p1 (999 cents, 250 g) → 299 + 3×50 = 449.
 */
export function shippingEstimateCents(priceCents: number, weightGrams: number): number {
  if (priceCents >= FREE_SHIPPING_FROM_CENTS) return 0;
  return BASE_CENTS + PER_STARTED_100_GRAMS_CENTS * Math.ceil(weightGrams / 100);
}
