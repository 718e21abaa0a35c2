/**
 * SDL to add to a BFF schema that uses the `@rateLimit` field limit (field-limits.ts).
 * A module of its own so whatever only builds BFF schemas (bffs/kit/define-bff.ts, the
 * schema check's BFF contracts) does not load the limiter with it.
 */
export const rateLimitDirectiveTypeDefs = /* GraphQL */ `
  directive @rateLimit(max: Int!, window: String!, identityArgs: [String!], arrayLengthField: String, message: String) on FIELD_DEFINITION
`;
