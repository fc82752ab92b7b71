import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { withAuth } from '../src/adapters/node.js';
import { AuthError } from '../src/errors.js';
import { CASES, expectedRefusal, readResponse, token, verify, withServer } from './support/adapter-setup.js';

for (const { name, authorization, scopes, expect } of CASES) {
  test(`clearjwt/node withAuth: ${name} → ${expect}`, async () => {
    const handler = (_req: IncomingMessage, res: ServerResponse, claims: { sub?: string }) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: claims.sub }));
    };
    const listener = scopes === undefined ? withAuth(verify, handler) : withAuth(verify, { scopes }, handler);
    await withServer(listener, async (url) => {
      const value = authorization();
      const response = await fetch(url, { headers: value === undefined ? {} : { authorization: value } });
      if (expect === 'ok') return assert.deepEqual(await response.json(), { sub: 'user_123' });
      assert.deepEqual(await readResponse(response), expectedRefusal(expect, expect === 'auth.insufficient_scope' ? scopes : undefined));
    });
  });
}

test('clearjwt/node withAuth: two Authorization headers are refused (headersDistinct is read)', async () => {
  await withServer(withAuth(verify, (_req, res) => res.end('reached')), async (url) => {
    const { port } = new URL(url);
    const { connect } = await import('node:net');
    const socket = connect(Number(port), '127.0.0.1');
    const good = `Bearer ${token()}`;
    socket.end(`GET / HTTP/1.1\r\nHost: x\r\nAuthorization: ${good}\r\nAuthorization: ${good}\r\nConnection: close\r\n\r\n`);
    let raw = '';
    for await (const chunk of socket) raw += String(chunk);
    assert.match(raw, /^HTTP\/1\.1 401 /);
    assert.match(raw, /"code":"auth\.authorization_token_invalid_format"/);
  });
});

test("clearjwt/node withAuth: onError 'next' rejects with the AuthError and sends nothing", async () => {
  const protectedRoute = withAuth(verify, { onError: 'next' }, (_req, res) => res.end('reached'));
  await withServer((req, res) => {
    protectedRoute(req, res).catch((error: unknown) => {
      assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
      res.writeHead(418).end(error.code);
    });
  }, async (url) => {
    const response = await fetch(url);
    assert.equal(response.status, 418);
    assert.equal(await response.text(), 'auth.authorization_header_missing');
  });
});

test('clearjwt/node withAuth: a missing handler or a bad option is a TypeError at setup', () => {
  assert.throws(() => withAuth(verify, {} as never), /the last argument must be the handler/);
  assert.throws(() => withAuth(verify, { scope: ['admin'] } as never, () => {}), /unknown option "scope"/);
});
