import { defineBff } from '../kit/define-bff.ts';
import { createWebLoaders, type WebLoaders } from './loaders.ts';
import { resolvers } from './resolvers.ts';

/** The web app's BFF: POST /bff/web/graphql, for signed-in users. */
export const webBff = defineBff<WebLoaders>({
  name: 'web',
  schemaPath: new URL('./schema.graphql', import.meta.url),
  resolvers,
  createLoaders: createWebLoaders,
  access: { kind: 'authenticated' },
});
