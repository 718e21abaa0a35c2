export const NOTIFICATION_KINDS = ['order', 'review', 'promo', 'system'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface Notification {
  readonly id: string;
  readonly userId: string;
  readonly kind: NotificationKind;
  readonly title: string;
  readonly body: string;
  readonly read: boolean;
  readonly createdAt: string;
}

const TITLES: Record<NotificationKind, string> = {
  order: 'Your order has shipped',
  review: 'Someone found your review helpful',
  promo: 'Weekend sale: 20% off outdoors',
  system: 'Your password was changed',
};
const FIRST_AT = Date.UTC(2024, 2, 1, 10);
const HOUR_MS = 3_600_000;

/**
 * Seed, rebuilt on every start: n1..n20, five per user for u1..u4 (u1: n1–n5, u2: n6–n10,
 * u3: n11–n15, u4: n16–n20). In each user's five the first three are unread and the last
 * two read, so every one of them has 3 unread; u5..u12 have none. Notification i has kind
 * NOTIFICATION_KINDS[(i-1) % 4] and was created 2024-03-01T10:00Z + i hours (newest last).
 */
export function seedNotifications(): Notification[] {
  return Array.from({ length: 20 }, (_, idx) => {
    const i = idx + 1;
    const kind = NOTIFICATION_KINDS[idx % NOTIFICATION_KINDS.length] as NotificationKind;
    return {
      id: `n${i}`,
      userId: `u${Math.floor(idx / 5) + 1}`,
      kind,
      title: TITLES[kind],
      body: `Notification ${i} (${kind}).`,
      read: idx % 5 >= 3,
      createdAt: new Date(FIRST_AT + i * HOUR_MS).toISOString(),
    };
  });
}
