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
 * plus forms for what schema coordinates cannot express:
 *
 *   `Parent ... on Cond`          a fragment on `Cond` spread where `Parent` is expected; it stays
 *                                 valid only while the two types overlap (union member, interface)
 *   `Type.field ... on Cond`      the same, directly in the selection of `Type.field`: valid only
 *                                 while the field's type overlaps `Cond`
 *   `@dir at LOCATION`            the directive used at an executable location (`FIELD`, `QUERY`, …)
 *   `@dir repeated`               the directive used more than once on one node
 *   `<input value> may be omitted`  an argument, input field or directive argument the operation
 *                                 leaves out, or passes as a variable that may be left unset
 *   `<input value> may be null`   one it passes as null, or as a variable that may be null
 *
 * where `<input value>` is `Type.field(arg:)`, `Input.field` or `@dir(arg:)`.
 */
export function spreadKey(parentType: string, conditionType: string): string {
  return `${parentType} ... on ${conditionType}`;
}

export function fieldSpreadKey(fieldCoordinate: string, conditionType: string): string {
  return `${fieldCoordinate} ... on ${conditionType}`;
}

export function directiveLocationKey(directive: string, location: string): string {
  return `@${directive} at ${location}`;
}

export function directiveRepeatedKey(directive: string): string {
  return `@${directive} repeated`;
}

export function mayBeOmittedKey(inputValueCoordinate: string): string {
  return `${inputValueCoordinate} may be omitted`;
}

export function mayBeNullKey(inputValueCoordinate: string): string {
  return `${inputValueCoordinate} may be null`;
}
