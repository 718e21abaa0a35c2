import type { JSONWebKeySet, JWK } from 'jose';
import { startTestServer, type TestServer } from './http-server.ts';

export interface JwksServer {
  /** The JWKS URL (`/jwks.json`). */
  readonly url: string;
  /** Requests the JWKS endpoint received so far. */
  readonly fetches: number;
  /** Serve exactly these keys from now on. */
  setKeys(keys: readonly JWK[]): void;
  /** Rotation: add a key (the old ones stay until removed). */
  addKey(key: JWK): void;
  removeKey(kid: string): void;
  /** Answer every request with this status (e.g. 503) until cleared with `undefined`. */
  failWith(status: number | undefined): void;
  /** Answer 200 with this body instead of the key set (a broken IdP) until cleared with `undefined`. */
  serveRaw(body: string | undefined): void;
  /** Delay each answer (to trip the verifier's fetch timeout). */
  delayMs: number;
  /** Stop listening (connection refused from then on). */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  restart(): Promise<void>;
}

/** A real JWKS endpoint on 127.0.0.1, port 0, whose keys can rotate and whose fetches are counted. */
export async function startJwksServer(initial: readonly JWK[] = []): Promise<JwksServer> {
  let keys: JWK[] = [...initial];
  let status: number | undefined;
  let raw: string | undefined;
  let fetches = 0;
  const state = { delayMs: 0 };
  const server: TestServer = await startTestServer(async (req, res) => {
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    fetches += 1;
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
    if (status !== undefined) {
      res.writeHead(status, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    const body: JSONWebKeySet = { keys };
    res.writeHead(200, { 'content-type': 'application/json' }).end(raw ?? JSON.stringify(body));
  });

  return {
    get url() {
      return `${server.url}/jwks.json`;
    },
    get fetches() {
      return fetches;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    setKeys(next) {
      keys = [...next];
    },
    addKey(key) {
      keys = [...keys, key];
    },
    removeKey(kid) {
      keys = keys.filter((k) => k.kid !== kid);
    },
    failWith(next) {
      status = next;
    },
    serveRaw(body) {
      raw = body;
    },
    stop: () => server.close(),
    restart: () => server.restart(),
  };
}
