import { describe, expect, it } from 'vitest';
import { authorize, type AccessRequirement } from '../../../gateway/auth/access-policy.ts';
import { ANONYMOUS, type Principal } from '../../../gateway/context/principal.ts';
import { ForbiddenError, UnauthenticatedError } from '../../../gateway/errors/gateway-error.ts';

const user = (scopes: string[] = [], roles: string[] = []): Principal => ({ kind: 'user', subject: 'u1', scopes, roles, tier: 'standard' });
const consumer = (routes: string[] | undefined, scopes: string[] = [], roles: string[] = []): Principal => ({
  kind: 'consumer',
  consumer: 'acme',
  scopes,
  roles,
  tier: 'standard',
  ...(routes ? { routes } : {}),
});

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('authorize', () => {
  it('anonymous: everybody passes', () => {
    for (const p of [ANONYMOUS, user(), consumer(['*'])]) expect(() => authorize(p, { kind: 'anonymous' })).not.toThrow();
  });

  it('authenticated: users and consumers pass, anonymous gets 401 missing_credentials with a bare challenge', () => {
    expect(() => authorize(user(), { kind: 'authenticated' })).not.toThrow();
    expect(() => authorize(consumer(['*']), { kind: 'authenticated' })).not.toThrow();
    const error = thrown(() => authorize(ANONYMOUS, { kind: 'authenticated' }));
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, reason: 'missing_credentials' });
    expect((error as UnauthenticatedError).headers['www-authenticate']).toBe('Bearer realm="bff-gateway"');
  });

  describe('scopes', () => {
    const req: AccessRequirement = { kind: 'scopes', anyOf: [['orders:read', 'orders:write'], ['admin']] };

    it('passes when one whole set is held', () => {
      expect(() => authorize(user(['orders:read', 'orders:write', 'x']), req)).not.toThrow();
      expect(() => authorize(user(['admin']), req)).not.toThrow();
      expect(() => authorize(consumer(['*'], ['admin']), req)).not.toThrow();
    });

    it('refuses a partial set with 403 insufficient_scope, naming what is needed', () => {
      const error = thrown(() => authorize(user(['orders:read']), req));
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error).toMatchObject({
        code: 'FORBIDDEN',
        status: 403,
        extensions: { reason: 'insufficient_scope', requiredScopes: [['orders:read', 'orders:write'], ['admin']] },
      });
      expect((error as ForbiddenError).headers['www-authenticate']).toBe(
        'Bearer realm="bff-gateway", error="insufficient_scope", scope="orders:read orders:write"',
      );
    });

    it('anonymous → 401, not 403', () => {
      expect(thrown(() => authorize(ANONYMOUS, req))).toBeInstanceOf(UnauthenticatedError);
    });
  });

  describe('roles', () => {
    const req: AccessRequirement = { kind: 'roles', anyOf: ['admin', 'support'] };

    it('passes with any one role', () => {
      expect(() => authorize(user([], ['support']), req)).not.toThrow();
    });

    it('refuses without one with 403 missing_role', () => {
      expect(thrown(() => authorize(user(['admin'], ['viewer']), req))).toMatchObject({
        code: 'FORBIDDEN',
        extensions: { reason: 'missing_role', requiredRoles: ['admin', 'support'] },
      });
      expect(thrown(() => authorize(ANONYMOUS, req))).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'missing_credentials' });
    });
  });

  describe('API key routes', () => {
    it('a key is allowed on its routes (or all with *)', () => {
      expect(() => authorize(consumer(['orders', 'catalog']), { kind: 'authenticated' }, 'orders')).not.toThrow();
      expect(() => authorize(consumer(['*']), { kind: 'authenticated' }, 'anything')).not.toThrow();
    });

    it('a key is refused on other routes, whatever the requirement', () => {
      for (const req of [{ kind: 'anonymous' }, { kind: 'authenticated' }] as const) {
        expect(thrown(() => authorize(consumer(['catalog']), req, 'orders'))).toMatchObject({
          code: 'FORBIDDEN',
          extensions: { reason: 'route_not_allowed', route: 'orders' },
        });
      }
    });

    it('fails closed for a consumer without a route list', () => {
      expect(thrown(() => authorize(consumer(undefined), { kind: 'anonymous' }, 'orders'))).toBeInstanceOf(ForbiddenError);
    });

    it('route lists do not apply to users, nor to calls without a route', () => {
      expect(() => authorize(user(), { kind: 'authenticated' }, 'orders')).not.toThrow();
      expect(() => authorize(consumer(['catalog']), { kind: 'authenticated' })).not.toThrow();
    });
  });

  it('refuses an unknown requirement kind (config bypassing the schema) instead of allowing', () => {
    expect(() => authorize(user(), { kind: 'everyone' } as unknown as AccessRequirement)).toThrow(/unknown access requirement/);
  });
});
