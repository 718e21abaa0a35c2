import type { IncomingMessage, ServerResponse } from 'node:http';
import { signDevToken } from '../../auth/index.ts';
import type { LoadedConfig } from '../../config/index.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { resolveIntrospection } from '../operation-limits/config.ts';
import { IDE_ASSET_PREFIX, loadIdeAssets, type IdeAssets } from './assets.ts';
import { resolveIde } from './config.ts';
import { idePage, type IdeDoor } from './page.ts';

export { IDE_ASSET_PREFIX } from './assets.ts';
export { ideConfigSchema, resolveIde, type IdeConfig } from './config.ts';
export { prefersHtml, type IdeDoor } from './page.ts';

/** The development IDE: its assets, and a page per GraphQL door. */
export interface Ide {
  readonly assets: IdeAssets;
  /** The door's `beforeInbound`: answers a browser's GET with the IDE. */
  pageFor(door: IdeDoor): (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

/** The IDE when `ide.enabled` resolves on (gateway/graphql/ide/config.ts); null otherwise. */
export function createIde(config: LoadedConfig, log: Logger, env: NodeJS.ProcessEnv = process.env): Ide | null {
  if (!resolveIde(config.ide, env)) return null;
  if (!resolveIntrospection(config.operationLimits, env)) {
    log.warn('ide is on but operationLimits.introspection is off: the IDE cannot load the schema (no completion, no docs)');
  }
  const assets = loadIdeAssets();
  const first = (v: string | readonly string[]): string => (typeof v === 'string' ? v : (v[0] ?? ''));
  // Tokens the gateway's own verifier accepts: the dev IdP's key, its configured iss and aud.
  const sign =
    config.auth.devKeys && config.ide.devToken
      ? (options: Parameters<typeof signDevToken>[0]) => signDevToken({ ...options, issuer: first(config.auth.issuer), audience: first(config.auth.audience) })
      : null;
  return {
    assets,
    pageFor: (door) => idePage(door, { assets, signDevToken: sign, devTokenSubject: config.ide.devTokenSubject }),
  };
}

/** True for a path the IDE's assets are served under. */
export function isIdeAssetPath(path: string): boolean {
  return path.startsWith(IDE_ASSET_PREFIX);
}
