const formatters = new Map<string, Intl.NumberFormat>();
/** Currencies come from upstream data: the cache stays bounded whatever they send. */
const MAX_CACHED = 32;

/**
 * `40995, "USD"` → `"$409.95"`: what every screen shows, formatted in one place (en-US,
 * the demo's only locale). Formatters are cached per currency: building one is the costly part.
 */
export function formatMoney(cents: number, currency: string): string {
  let formatter = formatters.get(currency);
  if (!formatter) {
    formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    if (formatters.size < MAX_CACHED) formatters.set(currency, formatter);
  }
  return formatter.format(cents / 100);
}
