import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authErrorResponse, requireAuth, withAuth, type FetchContextLike } from '../src/adapters/fetch.js';
import { AuthError } from '../src/errors.js';
import { CASES, expectedRefusal, readResponse, token, verify } from './support/adapter-setup.js';

const request = (authorization: string | undefined) =>
  new Request('http://127.0.0.1/user/info', { headers: authorization === undefined ? {} : { authorization } });

for (const { name, authorization, scopes, expect } of CASES) {
  test(`clearjwt/fetch withAuth: ${name} → ${expect}`, async () => {
    const handler = (_request: Request, claims: { sub?: string }) => Response.json({ sub: claims.sub });
    const route = scopes === undefined ? withAuth(verify, handler) : withAuth(verify, { scopes }, handler);
    const response = await route(request(authorization()));
    if (expect === 'ok') return assert.deepEqual(await response.json(), { sub: 'user_123' });
    assert.deepEqual(await readResponse(response), expectedRefusal(expect, expect === 'auth.insufficient_scope' ? scopes : undefined));
  });

  test(`clearjwt/fetch requireAuth (Hono-style context): ${name} → ${expect}`, async () => {
    const stored = new Map<string, unknown>();
    const context: FetchContextLike = { req: { raw: request(authorization()) }, set: (key, value) => void stored.set(key, value) };
    let nextCalled = false;
    const result = await requireAuth(verify, scopes === undefined ? undefined : { scopes })(context, async () => { nextCalled = true; });
    if (expect === 'ok') {
      assert.equal(result, undefined);
      assert.ok(nextCalled, 'next() was called');
      return assert.equal((stored.get('auth') as { sub: string }).sub, 'user_123');
    }
    assert.ok(result instanceof Response && !nextCalled && !stored.has('auth'), 'answered with a Response, without next() or claims');
    assert.deepEqual(await readResponse(result), expectedRefusal(expect, expect === 'auth.insufficient_scope' ? scopes : undefined));
  });
}

test('clearjwt/fetch authErrorResponse: anything that is not an AuthError fails closed as 401', async () => {
  assert.deepEqual(await readResponse(authErrorResponse(new Error('boom'))), expectedRefusal('auth.verification_failed'));
  assert.deepEqual(await readResponse(authErrorResponse(new AuthError('auth.jwks_unavailable'))), expectedRefusal('auth.jwks_unavailable'));
});

test('clearjwt/fetch withAuth: extra arguments (Next.js context, Bun server) reach the handler', async () => {
  const route = withAuth(verify, (_request, claims, context: { params: { id: string } }) => Response.json({ sub: claims.sub, id: context.params.id }));
  const response = await route(request(`Bearer ${token()}`), { params: { id: '7' } });
  assert.deepEqual(await response.json(), { sub: 'user_123', id: '7' });
});

test("clearjwt/fetch: onError 'next' rejects / throws the AuthError; a handler's own error is not turned into a 401", async () => {
  const isMissing = (error: unknown) => error instanceof AuthError && error.code === 'auth.authorization_header_missing';
  await assert.rejects(withAuth(verify, { onError: 'next' }, () => Response.json({}))(request(undefined)), isMissing);
  const context: FetchContextLike = { req: { raw: request(undefined) }, set: () => {} };
  await assert.rejects(requireAuth(verify, { onError: 'next' })(context, async () => {}), isMissing);
  const failing = withAuth(verify, () => { throw new RangeError('handler bug'); });
  await assert.rejects(failing(request(`Bearer ${token()}`)), RangeError);
});

test('clearjwt/fetch: a token from the WebSocket query string goes through verify.token', async () => {
  const route = withAuth(verify, { token: (req) => new URL(req.url).searchParams.get('access_token') ?? undefined }, (_r, claims) => Response.json({ sub: claims.sub }));
  const ok = await route(new Request(`http://127.0.0.1/ws?access_token=${token()}`));
  assert.deepEqual(await ok.json(), { sub: 'user_123' });
  assert.deepEqual(await readResponse(await route(new Request('http://127.0.0.1/ws'))), expectedRefusal('auth.authorization_header_missing'));
});

test('clearjwt/fetch: options and handler are checked at setup', () => {
  assert.throws(() => withAuth(verify, { onError: 'next', respond: true } as never, () => Response.json({})), /unknown option "respond"/);
  assert.throws(() => withAuth(verify, { scopes: ['admin'] } as never), /the last argument must be the handler/);
  assert.throws(() => requireAuth((() => {}) as never), /first argument must be the verifier/);
});
