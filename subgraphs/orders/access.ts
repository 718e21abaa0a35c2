import { GraphQLError } from 'graphql';
import type { Identity } from '../kit/identity.ts';
import { notFound } from '../kit/graphql-errors.ts';
import type { OrderRecord } from './data.ts';

/** The role that sees and changes every order (the back office). */
export const ADMIN_ROLE = 'admin';

/**
 * Row-level rules the gateway's directives cannot express: an order is its owner's (the
 * gateway-owned x-user-id) and the admin role's. Anyone else reads it as missing (null, an
 * empty list): order ids are guessable, so "someone else's" must look like "none".
 */
export function isAdmin(identity: Identity): boolean {
  return identity.roles.includes(ADMIN_ROLE);
}

export function mayRead(identity: Identity, userId: string): boolean {
  return isAdmin(identity) || (identity.userId !== null && identity.userId === userId);
}

export function visible(identity: Identity, order: OrderRecord | undefined | null): OrderRecord | null {
  return order && mayRead(identity, order.userId) ? order : null;
}

/** For mutations: a caller, or UNAUTHENTICATED. */
export function requireCaller(identity: Identity): void {
  if (identity.userId === null && !isAdmin(identity)) {
    throw new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED' } });
  }
}

/** An order the caller may change: theirs, or any for an admin. Someone else's is "no order", as on reads. */
export function requireOwnOrder(identity: Identity, order: OrderRecord | undefined, id: string): OrderRecord {
  requireCaller(identity);
  const own = visible(identity, order);
  if (!own) throw notFound(`no order ${id}`);
  return own;
}

/** Orders are placed for oneself, or by an admin for anyone. */
export function requirePlacingFor(identity: Identity, userId: string): void {
  requireCaller(identity);
  if (!mayRead(identity, userId)) {
    throw new GraphQLError(`Orders are placed for yourself; only the ${ADMIN_ROLE} role places them for another user`, { extensions: { code: 'FORBIDDEN' } });
  }
}
