import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthenticatedError } from '../../../gateway/errors/gateway-error.ts';
import { toGraphQLErrorJson, toProblem } from '../../../gateway/errors/render.ts';

describe('auth errors on the wire', () => {
  it('UnauthenticatedError: 401, stable reason, RFC 6750 challenge with a safe description', () => {
    const error = new UnauthenticatedError('invalid_claim', 'Token has an invalid "exp" claim\r\nX-Evil: 1', { claim: 'exp' });
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, reason: 'invalid_claim', extensions: { reason: 'invalid_claim', claim: 'exp' } });
    expect(error.headers['www-authenticate']).toBe(
      'Bearer realm="bff-gateway", error="invalid_token", error_description="Token has an invalid exp claimX-Evil: 1"',
    );
    expect(toProblem(error, 'req-1')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', reason: 'invalid_claim', claim: 'exp', requestId: 'req-1' });
    expect(toGraphQLErrorJson(error, 'request').extensions).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'invalid_claim',
      claim: 'exp',
      http: { status: 401 },
    });
  });

  it('ForbiddenError: 403 with what was missing', () => {
    const error = new ForbiddenError({ reason: 'missing_role', requiredRoles: ['admin'] });
    expect(toProblem(error)).toMatchObject({ status: 403, code: 'FORBIDDEN', reason: 'missing_role', requiredRoles: ['admin'] });
    expect(error.headers).toEqual({});
    expect(new ForbiddenError({ reason: 'route_not_allowed', route: 'orders' }).message).toMatch(/"orders"/);
  });
});
