import { describe, expect, it } from 'vitest';
import { normalizePath } from '../../../gateway/rest/normalize-path.ts';

const code = (path: string): string => {
  try {
    return normalizePath(path);
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('normalizePath', () => {
  it.each([
    ['/api/v1/x/y', '/api/v1/x/y'],
    ['/api/v1/x/y/', '/api/v1/x/y/'],
    ['/api/v1//x///y', '/api/v1/x/y'],
    ['/api/v1/x/..y/.z/y..', '/api/v1/x/..y/.z/y..'],
    ['/api/v1/%78/%7Eme', '/api/v1/x/~me'],
    ['/api/v1/x/caf%C3%A9', '/api/v1/x/caf%C3%A9'],
    ['/api/v1/x/a%20b', '/api/v1/x/a%20b'],
    ['/', '/'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizePath(raw)).toBe(expected);
  });

  it.each([
    // Dot segments are refused, not resolved, in every spelling.
    '/api/v1/x/./y',
    '/api/v1/x/a/../y',
    '/api/v1/x/a/..',
    '/api/v1/x/../../admin',
    '/api/v1/x/%2e%2e/%2E%2E/admin',
    '/api/v1/x/%2E./admin',
    '/api/v1/x/.%2e/admin',
    '/api/v1/x/%2e/y',
    '/../../../etc/passwd',
    '/api/v1/x/..%2fadmin',
    '/api/v1/x/..%2Fadmin',
    '/api/v1/x/%2e%2e%2fadmin',
    '/api/v1/x\\..\\admin',
    '/api/v1/x/..%5cadmin',
    '/api/v1/x/%00',
    '/api/v1/x/%252e%252e/admin',
    '/api/v1/x/%25252e%25252e/admin',
    '/api/v1/x/%252e/admin',
    '/api/v1/x/%252fadmin',
  ])('%s is refused with BAD_REQUEST', (raw) => {
    expect(code(raw)).toBe('BAD_REQUEST');
  });
});
