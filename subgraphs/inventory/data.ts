/** Seed: units on hand for p1..p40 are (n*7) % 13 — p1 7, p2 1, p3 8; p13, p26, p39 are out of stock (0). */
export const STOCK: ReadonlyMap<string, number> = new Map(Array.from({ length: 40 }, (_, i) => [`p${i + 1}`, ((i + 1) * 7) % 13]));
