import { defineBff } from '../kit/define-bff.ts';
import { resolvers, type AdminLoaders } from './resolvers.ts';

/** The back office's BFF: POST /bff/admin/graphql, for the `admin` role only. */
export const adminBff = defineBff<AdminLoaders>({
  name: 'admin',
  schemaPath: new URL('./schema.graphql', import.meta.url),
  resolvers,
  createLoaders: () => ({}),
  access: { kind: 'roles', anyOf: ['admin'] },
});
