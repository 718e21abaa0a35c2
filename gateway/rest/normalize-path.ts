import { BadRequestError } from '../errors/gateway-error.ts';

const UNRESERVED_ESCAPE = /%(2[dDeE]|3[0-9]|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])/g;
const FORBIDDEN_ESCAPES = /%(2f|5c|00)/i;

/**
 * Normalises a request path before routing, so what we route on is what the upstream
 * will see (RFC 3986 §6.2.2): percent-encoded unreserved characters are decoded and
 * repeated slashes merged. Anything that could move the path somewhere else, to us or to a
 * later decoder, is refused (400 BAD_REQUEST) rather than resolved: dot segments (`..` and
 * `.`, also as `%2e%2e`, `%2E.`, double-encoded, or with `;` parameters), encoded slashes
 * and backslashes, backslashes, NUL. Resolving `a/../b` ourselves would be safe for our
 * routing, but a client that sends it is either broken or probing (clients and browsers
 * resolve dot segments before sending), and no upstream should have to agree with us on
 * what it meant.
 */
export function normalizePath(rawPath: string): string {
  if (rawPath.includes('\\') || FORBIDDEN_ESCAPES.test(rawPath)) {
    throw new BadRequestError('Path contains an encoded slash, backslash or NUL');
  }
  const decoded = rawPath.replace(UNRESERVED_ESCAPE, (escape) => String.fromCharCode(parseInt(escape.slice(1), 16)));
  const segments = decoded.split('/');
  for (const segment of segments) {
    if (segment === '.' || segment === '..') throw new BadRequestError('Path contains a dot segment (. or ..)');
    if (hidesDotSegment(segment)) throw new BadRequestError('Path contains an encoded dot segment');
    // `..;x` is a dot segment to servlet containers (path parameters): refuse it too.
    if (/^\.{1,2};/.test(segment)) throw new BadRequestError('Path contains a dot segment with parameters');
  }
  const kept = segments.filter((segment) => segment !== '');
  const trailing = decoded.endsWith('/') && kept.length > 0 ? '/' : '';
  return `/${kept.join('/')}${trailing}`;
}

/** True when decoding the segment again (double encoding and deeper) yields `.` or `..`. */
function hidesDotSegment(segment: string): boolean {
  let current = segment;
  for (let i = 0; i < 3 && current.includes('%'); i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return false;
    }
    if (next === '.' || next === '..' || next.includes('/') || next.includes('\\')) return true;
    if (next === current) return false;
    current = next;
  }
  return false;
}
