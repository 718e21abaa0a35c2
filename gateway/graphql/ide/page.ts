import type { IncomingMessage, ServerResponse } from 'node:http';
import Negotiator from 'negotiator';
import type { AccessRequirement } from '../../auth/index.ts';
import type { DevTokenOptions } from '../../auth/dev-identity.ts';
import type { IdeAssets } from './assets.ts';

/** One GraphQL door as its IDE page describes it. */
export interface IdeDoor {
  /** The door's path, e.g. `/graphql`, `/bff/mobile/graphql`: where the IDE sends requests. */
  readonly path: string;
  /** What the door requires of a caller: decides the dev token's claims. */
  readonly access: AccessRequirement;
}

export interface IdePageOptions {
  readonly assets: IdeAssets;
  /** Mints a dev token (the embedded dev IdP); null when dev tokens are off. */
  readonly signDevToken: ((options: DevTokenOptions) => Promise<string>) | null;
  readonly devTokenSubject: string;
}

/** The page's answer lives this long: long enough for an afternoon's session, reloaded for a new one. */
const DEV_TOKEN_LIFETIME = '8h';

/**
 * The media types a GraphQL GET may ask for, `text/html` last: as in Apollo Server's
 * landing page check, a browser (which ranks text/html first) gets the page, while
 * an `accept` of any type, or no preference, still gets JSON: Negotiator breaks ties by order.
 */
const MEDIA_TYPES = ['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/html'];

/** True for a GET that prefers HTML over every GraphQL response type: a browser opening the door. */
export function prefersHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return req.method === 'GET' && accept !== undefined && new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES) === 'text/html';
}

/**
 * The page's policy: scripts, styles, fonts and requests from this gateway only (the fonts
 * and icons are data: URIs in GraphiQL's CSS; it sets inline styles), nothing may frame it.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Answers a browser's GET on a GraphQL door with GraphiQL; any other request is left to
 * the door (false). Runs before the door's inbound policies: the browser has no token yet.
 */
export function idePage(door: IdeDoor, options: IdePageOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const claims = tokenClaims(door.access);
  return async (req, res) => {
    if (!prefersHtml(req)) return false;
    const token = claims && options.signDevToken ? await options.signDevToken({ sub: options.devTokenSubject, ...claims, expiresIn: DEV_TOKEN_LIFETIME }) : undefined;
    const html = renderPage(door, options.assets, token === undefined ? {} : { authorization: `Bearer ${token}` }, noteFor(door, claims, token !== undefined, options.devTokenSubject));
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
      // A fresh token on every load; a page holding one must not sit in a cache.
      'cache-control': 'no-store',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(html);
    return true;
  };
}

/** Claims that meet the door's requirement; null for a door anyone may call. */
function tokenClaims(access: AccessRequirement): Pick<DevTokenOptions, 'roles' | 'scopes'> | null {
  switch (access.kind) {
    case 'anonymous':
      return null;
    case 'authenticated':
      return {};
    case 'roles':
      return { roles: access.anyOf.slice(0, 1) };
    case 'scopes':
      return { scopes: access.anyOf[0] ?? [] };
  }
}

function noteFor(door: IdeDoor, claims: Pick<DevTokenOptions, 'roles' | 'scopes'> | null, minted: boolean, sub: string): string {
  if (!claims) return `${door.path} serves anonymous callers; to call as someone, add {"authorization": "Bearer <token>"} in Headers (npm run token).`;
  if (!minted) return `${door.path} requires a caller: add {"authorization": "Bearer <token>"} in Headers.`;
  const granted = [claims.roles?.length ? `roles ${claims.roles.join(', ')}` : '', claims.scopes?.length ? `scopes ${claims.scopes.join(' ')}` : ''].filter(Boolean).join(', ');
  return `Requests carry a dev token for ${sub}${granted ? ` (${granted})` : ''}, minted when this page loaded (valid ${DEV_TOKEN_LIFETIME}; reload for a new one). An "authorization" in Headers replaces it.`;
}

function renderPage(door: IdeDoor, assets: IdeAssets, headers: Record<string, string>, note: string): string {
  const config = { endpoint: door.path, title: door.path, headers, note, defaultQuery: DEFAULT_QUERY };
  const { urls } = assets;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>GraphiQL · ${escapeHtml(door.path)}</title>
<link rel="stylesheet" href="${urls.styles}">
<style>html, body, #graphiql { height: 100%; margin: 0; } .ide-note { padding: 4px 8px; font-size: 12px; opacity: 0.75; }</style>
<script id="ide-config" type="application/json">${scriptJson(config)}</script>
<script defer src="${urls.react}"></script>
<script defer src="${urls.reactDom}"></script>
<script defer src="${urls.graphiql}"></script>
<script defer src="${urls.start}"></script>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
</body>
</html>
`;
}

const DEFAULT_QUERY = `# GraphiQL, served by the gateway in development (ide.enabled).
# Ctrl-Space completes, Ctrl-Enter runs; the schema is in the docs pane.
`;

/** JSON safe inside a `<script>` element: nothing in it can close the element or start markup. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
