import { describe, expect, it } from 'vitest';
import { routeSchema } from '../../../gateway/config/schema.ts';
import { RouteTable } from '../../../gateway/rest/route-table.ts';

const route = (r: Record<string, unknown>) => routeSchema.parse({ targets: [{ url: 'http://127.0.0.1:1' }], ...r });

const table = new RouteTable([
  route({ name: 'notifications', prefix: '/notifications' }),
  route({ name: 'notif-admin', prefix: '/notifications/admin', methods: ['GET'] }),
  route({ name: 'keep', prefix: '/keep', stripPath: false }),
  route({ name: 'based', prefix: '/based', upstreamBasePath: '/v2' }),
]);

const fail = (method: string, path: string) => {
  try {
    table.match(method, path);
  } catch (error) {
    return error as { code: string; headers: Record<string, string> };
  }
  throw new Error('matched');
};

describe('RouteTable', () => {
  it('strips the prefix by default', () => {
    const m = table.match('GET', '/api/v1/notifications/42');
    expect([m.route.name, m.upstreamPath]).toEqual(['notifications', '/42']);
    expect(table.match('GET', '/api/v1/notifications').upstreamPath).toBe('/');
  });

  it('longest prefix wins', () => {
    expect(table.match('GET', '/api/v1/notifications/admin/x').route.name).toBe('notif-admin');
  });

  it('matches whole segments only', () => {
    expect(fail('GET', '/api/v1/notificationsx').code).toBe('NOT_FOUND');
  });

  it('keeps the prefix when stripPath is false and prepends upstreamBasePath', () => {
    expect(table.match('GET', '/api/v1/keep/a').upstreamPath).toBe('/keep/a');
    expect(table.match('GET', '/api/v1/based/a').upstreamPath).toBe('/v2/a');
  });

  it('unknown routes and paths outside /api/v1 are NOT_FOUND', () => {
    expect(fail('GET', '/api/v1/nope').code).toBe('NOT_FOUND');
    expect(fail('GET', '/api/v2/notifications').code).toBe('NOT_FOUND');
    expect(fail('GET', '/api/v1').code).toBe('NOT_FOUND');
  });

  it('a method the route does not allow is METHOD_NOT_ALLOWED with Allow', () => {
    const err = fail('POST', '/api/v1/notifications/admin');
    expect(err.code).toBe('METHOD_NOT_ALLOWED');
    expect(err.headers.allow).toBe('GET');
  });
});
