import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { OperationLimitsConfig } from './config.ts';
import { costOf, type CostOptions } from './cost.ts';
import { aliasCountOf, depthsOf, introspectionDepthLimit, rootFieldCountOf } from './measure.ts';
import type { OperationLimitViolation } from './violation.ts';
import { fragmentsOf, operationsOf, type FragmentMap } from './walk.ts';

export interface OperationContext {
  /** For the cost estimate: which fields are lists, which branches exclude each other, `@cost`/`@listSize`. */
  schema?: GraphQLSchema | undefined;
  /** Measure only this operation (the one that will run); otherwise every operation in the document. */
  operationName?: string | null | undefined;
  /** Request variables, for list sizes given as `$n`. */
  variables?: Readonly<Record<string, unknown>> | null | undefined;
}

type DocumentLimits = Pick<
  OperationLimitsConfig,
  'maxDepth' | 'maxAliases' | 'maxRootFields' | 'maxCost' | 'defaultListSize' | 'listSizeArguments' | 'maxAssumedFanOut'
>;
type CostLimits = Pick<OperationLimitsConfig, 'defaultListSize' | 'listSizeArguments' | 'maxAssumedFanOut'>;

/**
 * The first limit a parsed document breaks, cheapest measure first (depth, aliases, root
 * fields, cost), or undefined. Pure: no I/O, no mutation, safe on invalid documents
 * (unknown fields and fragments, fragment cycles) because it runs before validation.
 */
export function findOperationLimitViolation(
  document: DocumentNode,
  limits: DocumentLimits,
  context: OperationContext = {},
): OperationLimitViolation | undefined {
  const fragments = fragmentsOf(document);
  for (const operation of operationsOf(document, context.operationName)) {
    const violation = findViolationIn(operation, fragments, limits, context);
    if (violation) return violation;
  }
  return undefined;
}

/** As above for one operation (Apollo's `requestContext.operation`). */
export function findViolationIn(
  operation: OperationDefinitionNode,
  fragments: FragmentMap,
  limits: DocumentLimits,
  context: OperationContext = {},
): OperationLimitViolation | undefined {
  const { depth, introspectionDepth } = depthsOf(operation.selectionSet, fragments);
  if (depth > limits.maxDepth) return { limit: 'maxDepth', value: depth, max: limits.maxDepth };
  const introspectionMax = introspectionDepthLimit(limits.maxDepth);
  if (introspectionDepth > introspectionMax) return { limit: 'maxDepth', value: introspectionDepth, max: introspectionMax };
  const aliases = aliasCountOf(operation.selectionSet, fragments);
  if (aliases > limits.maxAliases) return { limit: 'maxAliases', value: aliases, max: limits.maxAliases };
  const rootFields = rootFieldCountOf(operation.selectionSet, fragments);
  if (rootFields > limits.maxRootFields) return { limit: 'maxRootFields', value: rootFields, max: limits.maxRootFields };
  const cost = costOf(operation, fragments, costOptions(limits, context));
  // `!(<=)`: a cost that is not a number fails closed
  if (!(cost <= limits.maxCost)) return { limit: 'maxCost', value: cost, max: limits.maxCost };
  return undefined;
}

/** A batched request (a JSON array of operations): allowed at all, and how many. */
export function findBatchViolation(
  operations: number,
  batching: OperationLimitsConfig['batching'],
): OperationLimitViolation | undefined {
  if (!batching.enabled) return { limit: 'batching', value: operations, max: 0 };
  if (operations > batching.maxOperations) return { limit: 'maxOperations', value: operations, max: batching.maxOperations };
  return undefined;
}

/** The estimated cost alone (e.g. to pick the rate limiter's `expensive` bucket). */
export function estimateCost(
  document: DocumentNode,
  limits: CostLimits,
  context: OperationContext = {},
): number {
  const fragments = fragmentsOf(document);
  let max = 0;
  for (const operation of operationsOf(document, context.operationName)) {
    max = Math.max(max, costOf(operation, fragments, costOptions(limits, context)));
  }
  return max;
}

function costOptions(limits: CostLimits, context: OperationContext): CostOptions {
  return {
    schema: context.schema,
    variables: context.variables,
    defaultListSize: limits.defaultListSize,
    listSizeArguments: limits.listSizeArguments,
    maxAssumedFanOut: limits.maxAssumedFanOut,
  };
}
