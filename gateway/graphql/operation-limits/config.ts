import { z } from 'zod';

const positiveInt = z.number().int().min(1);

/**
 * `operationLimits` config: how big, deep, wide and costly a GraphQL document may be on
 * the GraphQL doors (`/graphql` and the BFFs). Each limit admits a document exactly at
 * its value and rejects one above it with OPERATION_LIMIT_EXCEEDED naming the limit.
 */
export const operationLimitsConfigSchema = z.strictObject({
  /**
   * Deepest field nesting (root fields are depth 1; fragments expanded). A path through
   * `__schema`/`__type` counts too, held to this or the depth of graphql-js's standard
   * introspection query (15), whichever is more, so schema tools keep working and
   * `__type { ofType { ofType … } } }` does not nest without end. Default 12.
   */
  maxDepth: positiveInt.default(12),
  /** Aliased fields in an operation (fragments counted where spread). Default 30. */
  maxAliases: z.number().int().min(0).default(30),
  /** Distinct root fields (response keys) in an operation. Default 20. */
  maxRootFields: positiveInt.default(20),
  /** Lexical tokens in the document, counted before parsing. Default 2000. */
  maxTokens: positiveInt.default(2_000),
  /** Bytes (UTF-8) of the document text. Default 65536 (64 KiB). */
  maxDocumentBytes: positiveInt.default(64 * 1024),
  /**
   * Deepest nesting of the request's JSON: a POST body, a GET's `variables` and
   * `extensions` (`{"variables": {"a": [1]}}` is 3). Real inputs nest a handful of levels;
   * thousands overflowed the stack of what walks variables afterwards (a 500). Counted on
   * the text before parsing. Default 64.
   */
  maxJsonDepth: positiveInt.default(64),
  /**
   * Estimated cost: every field costs 1 (or its `@cost(weight:)`), and everything under a
   * list field is multiplied by the list's size; an abstract type costs its costliest
   * possible type, not the sum of its fragments (see `cost.ts`). Default 5000.
   */
  maxCost: positiveInt.default(5_000),
  /**
   * Size guessed for a list field with no size: no slicing argument (nor its schema
   * default), no `@listSize(assumedSize:)`. Default 10.
   */
  defaultListSize: z.number().int().min(0).default(10),
  /**
   * How far guessed sizes may multiply: a guess never takes a field's fan-out (the times it
   * would be resolved: the product of the list sizes above it) past this, so nested unsized
   * lists do not compound one guess into 10 × 10 × 10 × … Sizes a client asks for
   * (`first: 100`) and sizes the schema declares (`@listSize`) always count in full.
   * Default 100 (two levels of `defaultListSize`).
   */
  maxAssumedFanOut: positiveInt.default(100),
  /**
   * Slicing arguments: arguments that give a list's size, on fields whose `@listSize` does
   * not name its own `slicingArguments`. Default `first`, `last`, `limit`.
   */
  listSizeArguments: z.array(z.string().min(1)).min(1).default(['first', 'last', 'limit']),
  batching: z
    .strictObject({
      /** Accept a JSON array of operations in one request. Default false. */
      enabled: z.boolean().default(false),
      /** Most operations in one batch. Default 5. */
      maxOperations: positiveInt.default(5),
    })
    .prefault({}),
  /**
   * Serve schema introspection. Unset means "on unless NODE_ENV=production", resolved at
   * load with `resolveIntrospection`.
   */
  introspection: z.boolean().optional(),
});

export type OperationLimitsConfig = z.output<typeof operationLimitsConfigSchema>;
export type OperationLimitsConfigInput = z.input<typeof operationLimitsConfigSchema>;

/** `introspection` as the doors use it: the configured value, else off in production only. */
export function resolveIntrospection(config: Pick<OperationLimitsConfig, 'introspection'>, env: NodeJS.ProcessEnv = process.env): boolean {
  return config.introspection ?? env.NODE_ENV !== 'production';
}
