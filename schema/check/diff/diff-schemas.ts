import { OperationTypeNode, isIntrospectionType, isSpecifiedScalarType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { change, type SchemaChange } from './change-kinds.ts';
import { diffDirectives } from './diff-directives.ts';
import { diffType, typeKindOf } from './diff-types.ts';

/**
 * Every change from `oldSchema` to `newSchema` (two API schemas), classified by the table
 * in change-kinds.ts. Ordered by the old schema's types first, then additions, then
 * directives, so reports read top to bottom like the schema.
 */
export function diffSchemas(oldSchema: GraphQLSchema, newSchema: GraphQLSchema): SchemaChange[] {
  const changes: SchemaChange[] = [...diffRootTypes(oldSchema, newSchema)];
  const oldTypes = userTypes(oldSchema);
  const newTypes = userTypes(newSchema);
  for (const [name, oldType] of oldTypes) {
    const newType = newTypes.get(name);
    if (!newType) {
      changes.push(change('TYPE_REMOVED', name, `${typeKindOf(oldType)} ${name} was removed`, [name]));
      continue;
    }
    changes.push(...diffType(oldType, newType, { old: oldSchema, new: newSchema }));
  }
  for (const [name, newType] of newTypes) {
    if (oldTypes.has(name)) continue;
    changes.push(change('TYPE_ADDED', name, `${typeKindOf(newType)} ${name} was added`, []));
  }
  changes.push(...diffDirectives(oldSchema, newSchema));
  return changes;
}

const ROOTS = [OperationTypeNode.QUERY, OperationTypeNode.MUTATION, OperationTypeNode.SUBSCRIPTION] as const;

function diffRootTypes(oldSchema: GraphQLSchema, newSchema: GraphQLSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const operation of ROOTS) {
    const before = oldSchema.getRootType(operation)?.name;
    const after = newSchema.getRootType(operation)?.name;
    if (before === after) continue;
    if (before === undefined) {
      changes.push(change('ROOT_TYPE_ADDED', after ?? operation, `${operation} root type ${after} was added`, []));
    } else {
      const now = after === undefined ? 'removed' : `changed to ${after}`;
      changes.push(change('ROOT_TYPE_CHANGED', before, `${operation} root type ${before} was ${now}`, [before]));
    }
  }
  return changes;
}

/** Named types a schema author wrote: no introspection types, no built-in scalars. */
function userTypes(schema: GraphQLSchema): Map<string, GraphQLNamedType> {
  const types = new Map<string, GraphQLNamedType>();
  for (const [name, type] of Object.entries(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    types.set(name, type);
  }
  return types;
}
