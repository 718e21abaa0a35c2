/**
 * The keys an operation "uses", shared by the differ (which says which keys make a change
 * matter) and usage.ts (which collects them from operations). Most are schema coordinates:
 *
 *   `Type`                  a type named or reached by the operation
 *   `Type.field`            an output field selected, or an input field sent
 *   `Type.field(arg:)`      an argument passed
 *   `Enum.VALUE`            an enum value sent (literal, or possible through a variable)
 *   `@dir` / `@dir(arg:)`   a directive used / its argument passed
 *
 * plus one form for fragments, which schema coordinates cannot express:
 *
 *   `Parent ... on Cond`    a fragment on `Cond` spread where `Parent` is expected; it stays
 *                           valid only while the two types overlap (union member, interface)
 */
export function spreadKey(parentType: string, conditionType: string): string {
  return `${parentType} ... on ${conditionType}`;
}
