import { isObjectType, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { tracedResolver } from './step-spans.ts';

/**
 * A BFF field resolver. `source` and `args` are `never` here so each resolver can declare
 * its own precise types (any function taking them is assignable); graphql guarantees them
 * from the schema, which is the BFF's own SDL.
 */
export type FieldResolver<TContext> = (source: never, args: never, context: TContext, info: GraphQLResolveInfo) => unknown;

/** Resolvers by type and field name. Fields without one read the property of the same name. */
export type BffResolvers<TContext> = Readonly<Record<string, Readonly<Record<string, FieldResolver<TContext>>>>>;

/**
 * Puts the resolvers on the schema built from the BFF's SDL, each in its trace span
 * (`bff.resolve Type.field` when tracing is on; see step-spans.ts). Fails at start-up when a
 * resolver names a type or field the SDL does not have (a typo would otherwise just never
 * run) and when a root field has no resolver (it would always answer null).
 */
export function attachResolvers<TContext>(schema: GraphQLSchema, resolvers: BffResolvers<TContext>, bff: string): GraphQLSchema {
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`bff ${bff}: resolvers name type ${typeName}, which is not an object type of its schema`);
    const defined = type.getFields();
    for (const [fieldName, resolve] of Object.entries(fields)) {
      const field = defined[fieldName];
      if (!field) throw new Error(`bff ${bff}: resolvers name ${typeName}.${fieldName}, which its schema does not define`);
      // The one widening: graphql calls every resolver with (unknown, args, context, info).
      field.resolve = tracedResolver(typeName, fieldName, resolve as unknown as GraphQLFieldResolver<unknown, TContext>);
    }
  }
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    const missing = Object.values(root.getFields()).filter((f) => !f.resolve);
    if (missing.length > 0) throw new Error(`bff ${bff}: no resolver for ${missing.map((f) => `${root.name}.${f.name}`).join(', ')}`);
  }
  return schema;
}
