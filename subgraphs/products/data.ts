/**
 * Seed: p1..p40, fixed, chosen so a test can compute any field from the number n:
 *   category     CATEGORIES[(n-1) % 4]  (p1 books, p2 electronics, p3 kitchen, p4 outdoors; 10 each)
 *   priceCents   n*1000 - 1             (p1 999, p5 4999, p6 5999, p40 39999)
 *   weightGrams  200 + 50*n             (p1 250, p40 2200)
 *   currency     USD
 * The array order is the popularity order topProducts serves (p1 first).
 */
export interface ProductRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly weightGrams: number;
  readonly category: string;
  readonly imageUrl: string;
}

export const CATEGORIES = ['books', 'electronics', 'kitchen', 'outdoors'] as const;

const NAMES: Record<(typeof CATEGORIES)[number], readonly string[]> = {
  books: ['Graph Theory Primer', 'Designing Data Systems', 'The Query Planner', 'Federated Futures', 'Latency Numbers', 'Field Guide to APIs', 'Backpressure', 'The Retry Budget', 'Schema Stories', 'Circuit Tales'],
  electronics: ['USB-C Hub', 'Mechanical Keyboard', 'Noise-Cancelling Headphones', 'Portable SSD', '4K Monitor', 'Wireless Mouse', 'Webcam HD', 'Smart Speaker', 'E-Reader', 'Travel Router'],
  kitchen: ['Chef Knife', 'Cast Iron Skillet', 'Pour-Over Kettle', 'Burr Grinder', 'Cutting Board', 'Dutch Oven', 'Spice Rack', 'Stand Mixer', 'Rice Cooker', 'Mandoline'],
  outdoors: ['Trail Backpack', 'Camp Stove', 'Headlamp', 'Trekking Poles', 'Sleeping Bag', 'Water Filter', 'Tent 2P', 'Rain Jacket', 'Hammock', 'Compass'],
};

export const PRODUCTS: readonly ProductRecord[] = Array.from({ length: 40 }, (_, i) => {
  const n = i + 1;
  const category = CATEGORIES[i % CATEGORIES.length] as (typeof CATEGORIES)[number];
  const name = NAMES[category][Math.floor(i / CATEGORIES.length)] as string;
  return {
    id: `p${n}`,
    name,
    description: `${name}, from our ${category} range.`,
    priceCents: n * 1000 - 1,
    currency: 'USD',
    weightGrams: 200 + 50 * n,
    category,
    imageUrl: `https://cdn.example.com/products/p${n}.jpg`,
  };
});

export const PRODUCTS_BY_ID: ReadonlyMap<string, ProductRecord> = new Map(PRODUCTS.map((p) => [p.id, p]));
