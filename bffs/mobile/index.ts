import { defineBff } from '../kit/define-bff.ts';
import { resolvers, type MobileLoaders } from './resolvers.ts';

/** The mobile app's BFF: POST /bff/mobile/graphql, for signed-in users. */
export const mobileBff = defineBff<MobileLoaders>({
  name: 'mobile',
  schemaPath: new URL('./schema.graphql', import.meta.url),
  resolvers,
  createLoaders: () => ({}),
  access: { kind: 'authenticated' },
});
