import { change, type SchemaChange } from './change-kinds.ts';

/** Description added, removed or reworded: one kind, the message says which. */
export function diffDescription(
  oldText: string | null | undefined,
  newText: string | null | undefined,
  coordinate: string,
): SchemaChange[] {
  const from = oldText ?? undefined;
  const to = newText ?? undefined;
  if (from === to) return [];
  const how = from === undefined ? 'added' : to === undefined ? 'removed' : 'changed';
  return [change('DESCRIPTION_CHANGED', coordinate, `description of ${coordinate} ${how}`, [])];
}

/**
 * Deprecation added, removed or its reason reworded. `usageKeys` are kept even though the
 * kinds are safe, so the report can list the operations that use a newly deprecated element.
 */
export function diffDeprecation(
  oldReason: string | null | undefined,
  newReason: string | null | undefined,
  coordinate: string,
  usageKeys: readonly string[],
): SchemaChange[] {
  const from = oldReason ?? undefined;
  const to = newReason ?? undefined;
  if (from === to) return [];
  if (from === undefined) {
    return [change('DEPRECATION_ADDED', coordinate, `${coordinate} was deprecated: ${to}`, usageKeys)];
  }
  if (to === undefined) return [change('DEPRECATION_REMOVED', coordinate, `${coordinate} is no longer deprecated`, [])];
  return [change('DEPRECATION_REASON_CHANGED', coordinate, `deprecation reason of ${coordinate} changed to: ${to}`, [])];
}
