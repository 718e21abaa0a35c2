import type { Notification } from './data.ts';

// Created notifications get timestamps from a logical clock (one second apart from
// 2025-01-01) so tests see the same data every run; they still sort after the seed.
const LOGICAL_EPOCH = Date.UTC(2025, 0, 1);

export type NotificationDraft = Omit<Notification, 'id' | 'createdAt'>;

/** The notifications of one process: the seed, then whatever requests did to it. */
export class NotificationStore {
  readonly #byId = new Map<string, Notification>();
  #nextId: number;
  #created = 0;

  constructor(seed: readonly Notification[]) {
    for (const n of seed) this.#byId.set(n.id, n);
    this.#nextId = seed.length + 1;
  }

  get(id: string): Notification | undefined {
    return this.#byId.get(id);
  }

  /** Newest first. */
  list(filter: { userId?: string; unreadOnly?: boolean } = {}): Notification[] {
    return [...this.#byId.values()]
      .filter((n) => (!filter.userId || n.userId === filter.userId) && (!filter.unreadOnly || !n.read))
      .sort((a, b) => (a.createdAt === b.createdAt ? Number(b.id.slice(1)) - Number(a.id.slice(1)) : a.createdAt < b.createdAt ? 1 : -1));
  }

  unreadCount(userId: string): number {
    let count = 0;
    for (const n of this.#byId.values()) if (n.userId === userId && !n.read) count++;
    return count;
  }

  create(draft: NotificationDraft): Notification {
    const n: Notification = { ...draft, id: `n${this.#nextId++}`, createdAt: new Date(LOGICAL_EPOCH + 1000 * this.#created++).toISOString() };
    this.#byId.set(n.id, n);
    return n;
  }

  /** Replaces the editable fields; id, userId and createdAt stay. */
  replace(id: string, fields: Pick<Notification, 'kind' | 'title' | 'body' | 'read'>): Notification | undefined {
    const current = this.#byId.get(id);
    if (!current) return undefined;
    const next: Notification = { ...current, ...fields };
    this.#byId.set(id, next);
    return next;
  }

  delete(id: string): boolean {
    return this.#byId.delete(id);
  }
}
