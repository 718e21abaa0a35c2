import { relative, sep } from 'node:path';

/** A path relative to the checked root, with `/` separators: what reports and git expect. */
export function rootRelative(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join('/');
}
