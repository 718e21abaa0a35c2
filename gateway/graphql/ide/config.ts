import { z } from 'zod';

/** `ide`: GraphiQL on every GraphQL door, for people exploring the API in development. */
export const ideConfigSchema = z.strictObject({
  /**
   * Answer a browser's `GET` (`Accept: text/html`) on `/graphql` and each BFF door with
   * GraphiQL, served from the gateway itself (no CDN: it works without internet access).
   * Unset means "on unless NODE_ENV=production", resolved at start-up with `resolveIde`;
   * off, such a GET is answered as any GraphQL GET (Apollo's CSRF prevention refuses it).
   */
  enabled: z.boolean().optional(),
  /**
   * On a door that requires a caller, the IDE's requests carry a dev token minted when the
   * page loads (one that meets the door's requirement: its roles or scopes), so the door
   * answers without pasting one. Only while `auth.devKeys` is on, which production refuses;
   * note that anyone who can load the page can then call the door. Default true.
   */
  devToken: z.boolean().default(true),
  /** The `sub` of those tokens. Default `u1`, the demo's first user. */
  devTokenSubject: z.string().min(1).max(256).default('u1'),
});

export type IdeConfig = z.output<typeof ideConfigSchema>;

/** `enabled` as the doors use it: the configured value, else on outside production only. */
export function resolveIde(config: Pick<IdeConfig, 'enabled'>, env: NodeJS.ProcessEnv = process.env): boolean {
  return config.enabled ?? env.NODE_ENV !== 'production';
}
