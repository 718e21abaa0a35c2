import { OperationLimitError, type OperationLimitName } from '../../errors/gateway-error.ts';

/** The first limit a document breaks: which, by how much, and the maximum. */
export interface OperationLimitViolation {
  readonly limit: OperationLimitName;
  readonly value: number;
  readonly max: number;
}

/** The client-facing sentence for a violation; it names the limit and the value. */
export function describeViolation(v: OperationLimitViolation): string {
  switch (v.limit) {
    case 'maxDocumentBytes':
      return `Document size ${v.value} bytes exceeds the limit of ${v.max} bytes`;
    case 'maxTokens':
      // counting stops one past the limit: the value is a lower bound
      return `Document token count exceeds the limit of ${v.max}`;
    case 'maxDepth':
      return `Query depth ${v.value} exceeds the limit of ${v.max}`;
    case 'maxAliases':
      return `Alias count ${v.value} exceeds the limit of ${v.max}`;
    case 'maxRootFields':
      return `Root field count ${v.value} exceeds the limit of ${v.max}`;
    case 'maxCost':
      return `Estimated query cost ${v.value} exceeds the limit of ${v.max}`;
    case 'batching':
      return `Batched requests are not accepted (received ${v.value} operations)`;
    case 'maxOperations':
      return `Batch of ${v.value} operations exceeds the limit of ${v.max}`;
    case 'maxJsonDepth':
      // counting stops one past the limit: the value is a lower bound
      return `Request JSON nests deeper than the limit of ${v.max} levels`;
    default:
      return unreachable(v.limit);
  }
}

export function toOperationLimitError(v: OperationLimitViolation): OperationLimitError {
  return new OperationLimitError(v.limit, v.value, v.max, describeViolation(v));
}

function unreachable(value: never): never {
  throw new Error(`unknown operation limit ${String(value)}`);
}
