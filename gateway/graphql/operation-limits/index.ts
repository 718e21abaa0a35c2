export {
  operationLimitsConfigSchema,
  resolveIntrospection,
  type OperationLimitsConfig,
  type OperationLimitsConfigInput,
} from './config.ts';
export { countTokens, findSourceViolation, parseWithLimits } from './source.ts';
export { findJsonDepthViolation, jsonDepthOf } from './json-depth.ts';
export { estimateCost, findBatchViolation, findOperationLimitViolation, findViolationIn, type OperationContext } from './check.ts';
export { describeViolation, toOperationLimitError, type OperationLimitViolation } from './violation.ts';
export { apolloParseOptions, operationLimitsPlugin, type OperationLimitsPluginOptions } from './apollo-plugin.ts';
export { operationLimitsRule } from './validation-rule.ts';
export { costDirectivesOf, useSupergraphCostDirectives, type CostDirectives, type ListSizeDirective } from './cost-directives.ts';
