import { Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { BadRequestError, InvalidOperationNameError, type GatewayError } from '../../errors/gateway-error.ts';

/**
 * Why the operation Apollo resolved for a request cannot run, or undefined when it can.
 *
 * No operation resolved: `operationName` names none of the document's operations, or is
 * missing where there are several. Apollo leaves that to the executor, and under a gateway
 * the executor's error came back as a 500 `INVALID_GRAPHQL` with the name echoed whole; the
 * limits cannot be checked on no operation either, so the request is refused here, as a 400.
 *
 * An operation type the schema has no root type for (a `subscription` on a schema without
 * one, a `mutation` on a read-only BFF): graphql-js's validation lets it through and its
 * executor then fails, which clients saw as a 500 or an `INTERNAL_SERVER_ERROR`.
 */
export function findUnrunnableOperation(
  document: DocumentNode,
  operation: OperationDefinitionNode | undefined,
  operationName: string | null | undefined,
  schema: GraphQLSchema,
): GatewayError | undefined {
  if (!operation) {
    const count = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
    return new InvalidOperationNameError(operationName, count);
  }
  if (!schema.getRootType(operation.operation)) {
    return new BadRequestError(`This schema has no ${operation.operation} type, so it cannot run a ${operation.operation}`);
  }
  return undefined;
}
