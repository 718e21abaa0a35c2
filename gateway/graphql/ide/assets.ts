import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * GraphiQL's prebuilt browser bundle and the React UMD builds it runs on, read from the
 * pinned npm packages (package.json: `graphiql`, `react`, `react-dom`) and served by the
 * gateway itself, so the IDE works where neither the gateway nor the browser reaches a
 * CDN. GraphiQL 3 is the last line that ships a UMD bundle; its CSS carries its fonts
 * inline (data: URIs), so nothing else is fetched.
 *
 * Every URL holds a digest of all the files, so a browser may cache them for good and an
 * upgrade of a package is a new URL.
 */

/** Where the assets are served; the rest of the path is `<digest>/<file>`. */
export const IDE_ASSET_PREFIX = '/_ide/';

interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
}

export interface IdeAssets {
  /** Each file's URL path, in the order the page loads them. */
  readonly urls: { readonly react: string; readonly reactDom: string; readonly graphiql: string; readonly styles: string; readonly start: string };
  /** Answers a request under `IDE_ASSET_PREFIX` (404 for anything it does not hold). */
  serve(req: IncomingMessage, res: ServerResponse, path: string): void;
}

const require = createRequire(import.meta.url);
const packageDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** Reads the files once, at start-up: a missing package stops start-up rather than a page load. */
export function loadIdeAssets(): IdeAssets {
  const files: Record<keyof IdeAssets['urls'], { name: string; path: string; contentType: string }> = {
    react: { name: 'react.production.min.js', path: join(packageDir('react'), 'umd', 'react.production.min.js'), contentType: JS },
    reactDom: { name: 'react-dom.production.min.js', path: join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'), contentType: JS },
    graphiql: { name: 'graphiql.min.js', path: join(packageDir('graphiql'), 'graphiql.min.js'), contentType: JS },
    styles: { name: 'graphiql.min.css', path: join(packageDir('graphiql'), 'graphiql.min.css'), contentType: CSS },
    start: { name: 'start-graphiql.js', path: fileURLToPath(new URL('./start-graphiql.js', import.meta.url)), contentType: JS },
  };
  const digest = createHash('sha256');
  const bodies = new Map<string, Asset>();
  for (const file of Object.values(files)) {
    let body: Buffer;
    try {
      body = readFileSync(file.path);
    } catch (cause) {
      throw new Error(`ide.enabled: cannot read ${file.path} (run npm install, or set ide.enabled to false)`, { cause });
    }
    digest.update(file.name).update(body);
    bodies.set(file.name, { body, contentType: file.contentType });
  }
  const base = `${IDE_ASSET_PREFIX}${digest.digest('hex').slice(0, 16)}/`;
  const assets = new Map([...bodies].map(([name, asset]) => [`${base}${name}`, asset]));
  const url = (key: keyof IdeAssets['urls']): string => `${base}${files[key].name}`;

  return {
    urls: { react: url('react'), reactDom: url('reactDom'), graphiql: url('graphiql'), styles: url('styles'), start: url('start') },
    serve(req, res, path) {
      const asset = assets.get(path);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
        return;
      }
      if (!asset) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('not found\n');
        return;
      }
      res.writeHead(200, {
        'content-type': asset.contentType,
        'content-length': asset.body.length,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    },
  };
}
