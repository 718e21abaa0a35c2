import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../gateway/app.ts';
import { startGateway } from '../../helpers/gateway.ts';

/**
 * The development IDE over real HTTP: a browser's GET on each GraphQL door gets GraphiQL,
 * whose every asset is a URL of the gateway itself, served from the pinned npm packages;
 * BFF doors that require a caller get a dev token the door accepts. Off, a browser's GET
 * is answered as it was before the IDE existed.
 */

/** What Chrome and Firefox send when a page is opened. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

const require = createRequire(import.meta.url);
const packageFile = (pkg: string, ...path: string[]): Buffer => readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), ...path));

const open = (url: string, accept = BROWSER_ACCEPT): Promise<Response> => fetch(url, { headers: { accept } });

/** The URLs the page loads (scripts, stylesheets, icon), but the inline `data:` ones. */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '').filter((u) => !u.startsWith('data:'));
}

interface PageConfig {
  endpoint: string;
  headers: Record<string, string>;
  note: string;
}

function pageConfig(html: string): PageConfig {
  const json = /<script id="ide-config" type="application\/json">([^<]*)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error('no ide-config in the page');
  return JSON.parse(json) as PageConfig;
}

async function graphql(url: string, query: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: res.status, body: await res.json() };
}

describe('the development IDE (on by default outside production)', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers a browser on /graphql with GraphiQL whose assets all come from the gateway', async () => {
    const res = await open(`${gateway.url}/graphql`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    const urls = assetUrls(html);
    expect(urls).toHaveLength(5);
    for (const url of urls) expect(url, url).toMatch(/^\/_ide\/[0-9a-f]{16}\/[a-z.-]+\.(js|css)$/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(pageConfig(html)).toMatchObject({ endpoint: '/graphql', headers: {} });
  });

  it('serves each asset with its type, byte for byte the pinned package file', async () => {
    const html = await (await open(`${gateway.url}/graphql`)).text();
    const expected: Record<string, { type: string; body: Buffer }> = {
      'react.production.min.js': { type: 'text/javascript; charset=utf-8', body: packageFile('react', 'umd', 'react.production.min.js') },
      'react-dom.production.min.js': { type: 'text/javascript; charset=utf-8', body: packageFile('react-dom', 'umd', 'react-dom.production.min.js') },
      'graphiql.min.js': { type: 'text/javascript; charset=utf-8', body: packageFile('graphiql', 'graphiql.min.js') },
      'graphiql.min.css': { type: 'text/css; charset=utf-8', body: packageFile('graphiql', 'graphiql.min.css') },
      'start-graphiql.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('../../../gateway/graphql/ide/start-graphiql.js', import.meta.url)) },
    };
    const urls = assetUrls(html);
    expect(urls.map((u) => u.split('/').pop()).sort()).toEqual(Object.keys(expected).sort());
    for (const url of urls) {
      const want = expected[url.split('/').pop() ?? ''];
      const res = await fetch(`${gateway.url}${url}`);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type'), url).toBe(want?.type);
      expect(res.headers.get('cache-control'), url).toContain('immutable');
      expect(Buffer.from(await res.arrayBuffer()).equals(want?.body ?? Buffer.alloc(0)), url).toBe(true);
    }
    const base = urls[0]?.slice(0, urls[0].lastIndexOf('/') + 1) ?? '';
    expect((await fetch(`${gateway.url}${base}nothing.js`)).status).toBe(404);
    expect((await fetch(`${gateway.url}/_ide/0000000000000000/graphiql.min.js`)).status).toBe(404);
    expect((await fetch(`${gateway.url}${urls[0]}`, { method: 'POST', body: '{}' })).status).toBe(405);
  });

  it('prefills a dev token the door accepts on a BFF door that requires a caller, before authentication', async () => {
    for (const client of ['mobile', 'admin']) {
      const res = await open(`${gateway.url}/bff/${client}/graphql`);
      expect(res.status, client).toBe(200);
      const config = pageConfig(await res.text());
      expect(config.endpoint).toBe(`/bff/${client}/graphql`);
      expect(config.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(config.note).toContain('dev token for u1');
      // The token meets the door's requirement (admin: the admin role).
      expect(await graphql(`${gateway.url}/bff/${client}/graphql`, '{ __typename }', config.headers)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    }
    // Without it the door refuses, as ever.
    expect((await graphql(`${gateway.url}/bff/admin/graphql`, '{ __typename }', {})).status).toBe(401);
  });

  it('leaves requests that are not a browser opening the door to the door', async () => {
    for (const accept of ['application/json', '*/*', 'application/graphql-response+json, text/html;q=0.5']) {
      const res = await open(`${gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, accept);
      expect(res.headers.get('content-type'), accept).not.toContain('text/html');
    }
    // A GraphQL GET from curl still hits Apollo's CSRF prevention, as before.
    const res = await fetch(`${gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
  });
});

describe('the IDE without dev tokens', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ ide: { enabled: true, devToken: false } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('serves the page with no token and says how to add one', async () => {
    const config = pageConfig(await (await open(`${gateway.url}/bff/mobile/graphql`)).text());
    expect(config.headers).toEqual({});
    expect(config.note).toContain('add {"authorization": "Bearer <token>"} in Headers');
  });
});

describe('ide.enabled: false', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ ide: { enabled: false } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers a browser as a GraphQL GET: CSRF 400 on /graphql, 401 on a BFF door, no assets', async () => {
    const graphqlDoor = await open(`${gateway.url}/graphql`);
    expect(graphqlDoor.status).toBe(400);
    expect(graphqlDoor.headers.get('content-type')).toContain('application/json');
    expect(((await graphqlDoor.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('BAD_REQUEST');
    expect((await open(`${gateway.url}/bff/mobile/graphql`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/_ide/0000000000000000/graphiql.min.js`)).status).toBe(404);
  });
});
