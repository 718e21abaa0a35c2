import type { ValidationRule } from 'graphql';
import { toGraphQLError } from '../../errors/render.ts';
import { findOperationLimitViolation } from './check.ts';
import type { OperationLimitsConfig } from './config.ts';
import { toOperationLimitError } from './violation.ts';

/**
 * The document limits as a graphql-js validation rule, for executors that validate but
 * have no plugin hooks. No variables at validation time: `$n` list sizes fall back to the
 * variable's default, else `defaultListSize`. Under Apollo Server prefer
 * `operationLimitsPlugin`: Apollo relabels validation errors GRAPHQL_VALIDATION_FAILED.
 */
export function operationLimitsRule(config: OperationLimitsConfig): ValidationRule {
  return (context) => ({
    Document(document) {
      const violation = findOperationLimitViolation(document, config, { schema: context.getSchema() });
      if (violation) {
        const error = toGraphQLError(toOperationLimitError(violation), 'request');
        context.reportError(error);
      }
      return false; // measured whole; no need to visit further
    },
  });
}
