import { Socket } from 'node:net';
import { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, upstreamRequestHeaders } from '../../../gateway/rest/forward-headers.ts';

function incoming(headers: Record<string, string>): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = headers;
  return req;
}

describe('forward headers', () => {
  it('drops hop-by-hop headers and those named in Connection, and Host', () => {
    const out = upstreamRequestHeaders(
      incoming({
        host: 'gw.example',
        connection: 'keep-alive, X-Secret-Hop',
        'keep-alive': 'timeout=5',
        'x-secret-hop': '1',
        te: 'trailers',
        trailer: 'x',
        upgrade: 'h2c',
        'proxy-authorization': 'Basic x',
        'proxy-connection': 'keep-alive',
        'transfer-encoding': 'chunked',
        'x-kept': 'yes',
      }),
      '10.0.0.1',
    );
    expect(out).toEqual({
      'x-kept': 'yes',
      'x-forwarded-for': '10.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gw.example',
    });
  });

  it('appends to an existing X-Forwarded-For', () => {
    const out = upstreamRequestHeaders(incoming({ 'x-forwarded-for': '1.1.1.1' }), '10.0.0.1');
    expect(out['x-forwarded-for']).toBe('1.1.1.1, 10.0.0.1');
  });

  it('never forwards Expect (undici refuses it and the edge has already answered 100-continue)', () => {
    const out = upstreamRequestHeaders(incoming({ expect: '100-continue', 'content-length': '10' }), '10.0.0.1');
    expect(out.expect).toBeUndefined();
    expect(out['content-length']).toBe('10');
  });

  it('response headers lose hop-by-hop ones, keep the rest', () => {
    expect(
      clientResponseHeaders({ connection: 'close, x-h', 'x-h': '1', 'transfer-encoding': 'chunked', 'set-cookie': ['a=1', 'b=2'], 'x-ok': '1', gone: undefined }),
    ).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'x-ok': '1' });
  });
});
