import { GraphQLError } from 'graphql';

/** Resolver errors with the codes the gateway passes through (`extensions.code`). */
export function badUserInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

/** `first` arguments: a non-negative count, capped so one request cannot ask for everything. */
export function firstArg(first: number | null | undefined, fallback: number | undefined, max = 100): number | undefined {
  const n = first ?? fallback;
  if (n === undefined) return undefined;
  if (n < 0) throw badUserInput(`first must be 0 or more, got ${n}`, 'first');
  return Math.min(n, max);
}
