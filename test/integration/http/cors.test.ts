import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { Gateway } from '../../../gateway/app.ts';
import { signDevToken } from '../../../gateway/auth/index.ts';
import { DEMO_CORS } from '../../../gateway/cli/demo-config.ts';
import { startGateway } from '../../helpers/gateway.ts';
import { startTestServer, type TestServer } from '../../helpers/http-server.ts';

/**
 * CORS through every door of a real gateway, over real HTTP: preflights answered at the
 * edge (before authentication and rate limiting), actual answers decorated (errors too),
 * origins matched exactly or by anchored pattern, per door and per route, and an origin
 * no policy takes answered without a single Access-Control-* header.
 */

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

async function send(url: string, method: 'GET' | 'POST' | 'OPTIONS', headers: Record<string, string>, body?: string): Promise<Answer> {
  const res = await request(url, { method, headers, body });
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return { status: res.statusCode, headers: flat, body: await res.body.text() };
}

const preflight = (url: string, origin: string, extra: Record<string, string> = {}): Promise<Answer> =>
  send(url, 'OPTIONS', { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization', ...extra });

const postJson = (url: string, origin: string | undefined, query: string, extra: Record<string, string> = {}): Promise<Answer> =>
  send(url, 'POST', { 'content-type': 'application/json', ...(origin ? { origin } : {}), ...extra }, JSON.stringify({ query }));

const corsHeaders = (a: Answer): string[] => Object.keys(a.headers).filter((h) => h.startsWith('access-control-'));
const varyOf = (a: Answer): string[] => (a.headers.vary ?? '').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);

const APP = 'https://app.example.com';
const PREVIEW = 'https://pr-12.preview.example.com';
const MOBILE = 'https://mobile.example.com';
const STRANGER = 'https://evil.example.net';

describe('CORS per door', () => {
  let gateway: Gateway;
  let notes: TestServer;
  let legacy: TestServer;
  let bearer: string;

  beforeAll(async () => {
    // An upstream that does CORS of its own, wrongly for a gateway that owns it.
    notes = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true', vary: 'Accept-Encoding' }).end('{"ok":true}');
    });
    // An upstream trusted to do CORS itself (cors.upstreamRoutes).
    legacy = await startTestServer((req, res) => {
      const own = { 'access-control-allow-origin': 'https://legacy.example.com', 'access-control-allow-methods': 'PUT' };
      if (req.method === 'OPTIONS') res.writeHead(200, own).end();
      else res.writeHead(200, { ...own, 'content-type': 'text/plain' }).end('legacy');
    });
    gateway = await startGateway({
      routes: [
        { name: 'notes', prefix: '/notes', targets: [{ url: notes.url }], methods: ['GET', 'PUT', 'DELETE'] },
        { name: 'legacy', prefix: '/legacy', targets: [{ url: legacy.url }] },
        { name: 'open', prefix: '/open', targets: [{ url: notes.url }] },
      ],
      cors: {
        policies: [{ origins: [APP] }, { matchOrigins: ['https://([a-z0-9-]+\\.)?preview\\.example\\.com'], allowCredentials: true, maxAgeSeconds: 60 }],
        doors: { bff: { policies: [{ origins: [MOBILE], allowCredentials: true }], allowHeaders: ['content-type', 'authorization'] } },
        routes: { admin: { policies: [] }, open: { allowAnyOrigin: true } },
        upstreamRoutes: ['legacy'],
      },
    });
    bearer = `Bearer ${await signDevToken({ sub: 'u1' })}`;
  });
  afterAll(async () => {
    await gateway?.close();
    await notes?.close();
    await legacy?.close();
  });

  describe('/graphql', () => {
    it('answers an allowed preflight with 204 and the policy: methods of the door, echoed request headers, max age', async () => {
      const a = await preflight(`${gateway.url}/graphql`, APP);
      expect(a.status).toBe(204);
      expect(a.body).toBe('');
      expect(a.headers['access-control-allow-origin']).toBe(APP);
      expect(a.headers['access-control-allow-methods']).toBe('GET, POST');
      expect(a.headers['access-control-allow-headers']).toBe('content-type, authorization');
      expect(a.headers['access-control-max-age']).toBe('600');
      expect(a.headers['access-control-allow-credentials']).toBeUndefined();
      expect(varyOf(a)).toEqual(expect.arrayContaining(['origin', 'access-control-request-headers']));
      expect(a.headers['x-request-id']).toBeTruthy();
    });

    it('lets the allowed origin read the answer of a JSON POST, which passes Apollo CSRF prevention', async () => {
      const a = await postJson(`${gateway.url}/graphql`, APP, '{ __typename }');
      expect(a.status).toBe(200);
      expect(JSON.parse(a.body)).toEqual({ data: { __typename: 'Query' } });
      expect(a.headers['access-control-allow-origin']).toBe(APP);
      expect(a.headers['access-control-expose-headers']).toBe('x-request-id, retry-after, ratelimit, ratelimit-policy');
      expect(a.headers['access-control-allow-credentials']).toBeUndefined();
      expect(varyOf(a)).toContain('origin');
    });

    it('gives an origin no policy takes no CORS header at all: preflight 204, answers bare', async () => {
      const pre = await preflight(`${gateway.url}/graphql`, STRANGER);
      expect(pre.status).toBe(204);
      expect(corsHeaders(pre)).toEqual([]);
      expect(varyOf(pre)).toContain('origin');
      const post = await postJson(`${gateway.url}/graphql`, STRANGER, '{ __typename }');
      expect(post.status).toBe(200);
      expect(corsHeaders(post)).toEqual([]);
    });

    it('still refuses a simple cross-site GET without a preflight header (CSRF prevention is untouched)', async () => {
      const a = await send(`${gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, 'GET', { origin: STRANGER });
      expect(a.status).toBe(400);
      expect(a.body).toContain('Cross-Site Request Forgery');
      expect(corsHeaders(a)).toEqual([]);
    });

    it('matches patterns against the whole origin, case-insensitively, and applies that policy (credentials, max age)', async () => {
      const a = await preflight(`${gateway.url}/graphql`, PREVIEW);
      expect(a.headers['access-control-allow-origin']).toBe(PREVIEW);
      expect(a.headers['access-control-allow-credentials']).toBe('true');
      expect(a.headers['access-control-max-age']).toBe('60');
      const upper = await preflight(`${gateway.url}/graphql`, 'https://PR-7.Preview.Example.com');
      expect(upper.headers['access-control-allow-origin']).toBe('https://PR-7.Preview.Example.com');
      const actual = await postJson(`${gateway.url}/graphql`, PREVIEW, '{ __typename }');
      expect(actual.headers['access-control-allow-credentials']).toBe('true');
      // Anchored: a host that merely starts like an allowed one is another site.
      for (const origin of ['https://pr-12.preview.example.com.evil.net', 'http://pr-12.preview.example.com', 'https://app.example.com:8443', 'null']) {
        expect(corsHeaders(await preflight(`${gateway.url}/graphql`, origin)), origin).toEqual([]);
      }
    });

    it('leaves an OPTIONS that is no preflight to the door (405, as before)', async () => {
      const a = await send(`${gateway.url}/graphql`, 'OPTIONS', { origin: APP });
      expect(a.status).toBe(405);
    });
  });

  describe('BFF doors', () => {
    it('answers the preflight of a door that requires a token before authentication', async () => {
      const a = await preflight(`${gateway.url}/bff/mobile/graphql`, MOBILE);
      expect(a.status).toBe(204);
      expect(a.headers['access-control-allow-origin']).toBe(MOBILE);
      expect(a.headers['access-control-allow-credentials']).toBe('true');
      // doors.bff lists its headers: no echo.
      expect(a.headers['access-control-allow-headers']).toBe('content-type, authorization');
      expect(varyOf(a)).not.toContain('access-control-request-headers');
    });

    it('uses doors.bff over the top level: the top-level origin is not allowed there', async () => {
      expect(corsHeaders(await preflight(`${gateway.url}/bff/web/graphql`, APP))).toEqual([]);
      expect((await preflight(`${gateway.url}/bff/web/graphql`, MOBILE)).headers['access-control-allow-origin']).toBe(MOBILE);
    });

    it('uses routes.<client> over doors.bff: admin allows no origin', async () => {
      const a = await preflight(`${gateway.url}/bff/admin/graphql`, MOBILE);
      expect(a.status).toBe(204);
      expect(corsHeaders(a)).toEqual([]);
      // Nothing to vary on when no origin can be allowed.
      expect(varyOf(a)).not.toContain('origin');
    });

    it('decorates answers and refusals alike, so the page can read a 401', async () => {
      const ok = await postJson(`${gateway.url}/bff/mobile/graphql`, MOBILE, '{ __typename }', { authorization: bearer });
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe(MOBILE);
      const refused = await postJson(`${gateway.url}/bff/mobile/graphql`, MOBILE, '{ __typename }');
      expect(refused.status).toBe(401);
      expect(refused.headers['access-control-allow-origin']).toBe(MOBILE);
      expect(refused.headers['access-control-allow-credentials']).toBe('true');
    });
  });

  describe('/api/v1 routes', () => {
    it('answers the preflight at the edge with the route methods; the upstream never sees it', async () => {
      const before = notes.requests.length;
      const a = await preflight(`${gateway.url}/api/v1/notes/n1`, APP, { 'access-control-request-method': 'PUT' });
      expect(a.status).toBe(204);
      expect(a.headers['access-control-allow-origin']).toBe(APP);
      expect(a.headers['access-control-allow-methods']).toBe('GET, PUT, DELETE');
      expect(notes.requests.length).toBe(before);
    });

    it("replaces the upstream's own CORS headers with the policy's and keeps its Vary", async () => {
      const allowed = await send(`${gateway.url}/api/v1/notes/n1`, 'GET', { origin: APP });
      expect(allowed.status).toBe(200);
      expect(allowed.headers['access-control-allow-origin']).toBe(APP);
      expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
      expect(varyOf(allowed)).toEqual(expect.arrayContaining(['accept-encoding', 'origin']));
      const stranger = await send(`${gateway.url}/api/v1/notes/n1`, 'GET', { origin: STRANGER });
      expect(stranger.status).toBe(200);
      expect(corsHeaders(stranger)).toEqual([]);
    });

    it('answers any origin with * on an allowAnyOrigin route, with nothing to vary on', async () => {
      const a = await preflight(`${gateway.url}/api/v1/open/x`, STRANGER);
      expect(a.headers['access-control-allow-origin']).toBe('*');
      expect(varyOf(a)).not.toContain('origin');
      const get = await send(`${gateway.url}/api/v1/open/x`, 'GET', { origin: STRANGER });
      expect(get.headers['access-control-allow-origin']).toBe('*');
      expect(get.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('forwards preflights of an upstreamRoutes route and relays its own headers untouched', async () => {
      const before = legacy.requests.filter((r) => r.method === 'OPTIONS').length;
      const a = await preflight(`${gateway.url}/api/v1/legacy/x`, APP);
      expect(a.status).toBe(200);
      expect(a.headers['access-control-allow-origin']).toBe('https://legacy.example.com');
      expect(a.headers['access-control-allow-methods']).toBe('PUT');
      expect(legacy.requests.filter((r) => r.method === 'OPTIONS').length).toBe(before + 1);
    });
  });
});

describe('CORS before rate limiting', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ rateLimit: { tiers: { anonymous: { limit: 1 } } }, cors: { policies: [{ origins: [APP] }] } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('preflights are never counted, and a 429 carries the headers a page needs to back off', async () => {
    for (let i = 0; i < 3; i++) expect((await preflight(`${gateway.url}/graphql`, APP)).status).toBe(204);
    expect((await postJson(`${gateway.url}/graphql`, APP, '{ __typename }')).status).toBe(200);
    const limited = await postJson(`${gateway.url}/graphql`, APP, '{ __typename }');
    expect(limited.status).toBe(429);
    expect(limited.headers['access-control-allow-origin']).toBe(APP);
    expect(limited.headers['access-control-expose-headers']).toContain('retry-after');
    expect(limited.headers['retry-after']).toBeTruthy();
  });
});

describe('the demo policy (npm start)', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ cors: DEMO_CORS });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('allows web apps on this machine and nothing else', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'https://localhost', 'http://[::1]:8080']) {
      expect((await preflight(`${gateway.url}/bff/mobile/graphql`, origin)).headers['access-control-allow-origin'], origin).toBe(origin);
    }
    for (const origin of ['http://localhost.evil.net', 'http://evil.net', 'http://127.0.0.2:3000', 'http://localhost:5173.evil.net']) {
      expect(corsHeaders(await preflight(`${gateway.url}/bff/mobile/graphql`, origin)), origin).toEqual([]);
    }
  });
});

describe('CORS by default (no cors config)', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('allows no origin: a preflight gets a bare 204 and answers no CORS header', async () => {
    const pre = await preflight(`${gateway.url}/graphql`, 'http://localhost:5173');
    expect(pre.status).toBe(204);
    expect(corsHeaders(pre)).toEqual([]);
    const post = await postJson(`${gateway.url}/graphql`, 'http://localhost:5173', '{ __typename }');
    expect(post.status).toBe(200);
    expect(corsHeaders(post)).toEqual([]);
    expect(post.headers.vary).toBeUndefined();
  });
});
