import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { requireAuth } from '../src/adapters/express.js';
import type { Claims } from '../src/claims.js';
import { AuthError } from '../src/errors.js';
import { CASES, expectedRefusal, readResponse, verify, withServer } from './support/adapter-setup.js';

// The middleware driven the way Connect and Express drive one: (req, res, next) on a real
// node:http request; next() hands on to a handler that answers with req.auth.
function connectLike(middleware: ReturnType<typeof requireAuth>) {
  return (req: IncomingMessage & { auth?: Claims<object> }, res: ServerResponse) => {
    middleware(req, res, (error?: unknown) => {
      if (error !== undefined) return void res.writeHead(418).end(error instanceof AuthError ? error.code : 'not an AuthError');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.auth));
    });
  };
}

for (const { name, authorization, scopes, expect } of CASES) {
  test(`clearjwt/express requireAuth: ${name} → ${expect}`, async () => {
    await withServer(connectLike(requireAuth(verify, scopes === undefined ? undefined : { scopes })), async (url) => {
      const value = authorization();
      const response = await fetch(url, { headers: value === undefined ? {} : { authorization: value } });
      if (expect === 'ok') return assert.equal(((await response.json()) as { sub: string }).sub, 'user_123');
      assert.deepEqual(await readResponse(response), expectedRefusal(expect, expect === 'auth.insufficient_scope' ? scopes : undefined));
    });
  });
}

test("clearjwt/express requireAuth: onError 'next' calls next(AuthError) and sends nothing itself", async () => {
  await withServer(connectLike(requireAuth(verify, { onError: 'next', scopes: ['admin'] })), async (url) => {
    const response = await fetch(url, { headers: { authorization: 'Bearer x.y' } });
    assert.equal(response.status, 418);
    assert.equal(await response.text(), 'auth.jws_malformed');
  });
});

test('clearjwt/express requireAuth: a token getter (cookie) replaces the header', async () => {
  const { token } = await import('./support/adapter-setup.js');
  const fromCookie = requireAuth(verify, { token: (req) => /(?:^|; )at=([^;]+)/.exec(String(req.headers['cookie']))?.[1] });
  await withServer(connectLike(fromCookie), async (url) => {
    const ok = await fetch(url, { headers: { cookie: `theme=dark; at=${token()}` } });
    assert.equal(((await ok.json()) as { sub: string }).sub, 'user_123');
    const none = await fetch(url, { headers: { authorization: `Bearer ${token()}` } });
    assert.deepEqual(await readResponse(none), expectedRefusal('auth.authorization_header_missing'));
  });
});

test('clearjwt/express requireAuth: options are checked at setup', () => {
  assert.throws(() => requireAuth(verify, { scope: ['admin'] } as never), /clearjwt\/express requireAuth: unknown option "scope"/);
  assert.throws(() => requireAuth(verify, { onError: 'skip' } as never), TypeError);
});
