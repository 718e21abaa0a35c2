/**
 * Seed: u1..u12, fixed. `u<n>` is NAMES[n-1], email <first name>@example.com, phone
 * +1 202 555 01<nn> (a fictional range; u12 gave none), tier cycles gold, silver, bronze
 * from u1, created 2023-01-<n> 09:00 UTC.
 */
export interface UserRecord {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string | null;
  readonly avatarUrl: string;
  readonly tier: 'gold' | 'silver' | 'bronze';
  readonly createdAt: string;
}

const NAMES = [
  'Ada Lovelace',
  'Grace Hopper',
  'Alan Turing',
  'Katherine Johnson',
  'Edsger Dijkstra',
  'Barbara Liskov',
  'Donald Knuth',
  'Margaret Hamilton',
  'Linus Torvalds',
  'Radia Perlman',
  'Ken Thompson',
  'Frances Allen',
] as const;

const TIERS = ['gold', 'silver', 'bronze'] as const;

export const USERS: readonly UserRecord[] = NAMES.map((name, i) => {
  const n = i + 1;
  return {
    id: `u${n}`,
    name,
    email: `${name.split(' ')[0]?.toLowerCase()}@example.com`,
    phone: n === NAMES.length ? null : `+1202555${String(100 + n).padStart(4, '0')}`,
    avatarUrl: `https://cdn.example.com/avatars/u${n}.png`,
    tier: TIERS[i % TIERS.length] as UserRecord['tier'],
    createdAt: `2023-01-${String(n).padStart(2, '0')}T09:00:00.000Z`,
  };
});

export const USERS_BY_ID: ReadonlyMap<string, UserRecord> = new Map(USERS.map((u) => [u.id, u]));
