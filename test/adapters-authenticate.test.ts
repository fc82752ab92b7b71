import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authenticate, readAuthOptions } from '../src/adapters/authenticate.js';
import { AuthError } from '../src/errors.js';
import { outcome } from './support/outcome.js';
import { token, verify } from './support/adapter-setup.js';

// Every misuse is refused when the route is set up, with a TypeError naming the problem.
const BAD_OPTIONS: Array<[string, unknown, unknown, RegExp]> = [
  ['not a verifier', () => {}, undefined, /first argument must be the verifier/],
  ['options not an object', verify, 'admin', /options must be an object/],
  ['unknown option', verify, { scope: ['admin'] }, /^test: unknown option "scope" \(did you mean "scopes"\?\)$/],
  ['scopes a string', verify, { scopes: 'admin' }, /scopes must be an array of scope tokens/],
  ['scope with a space', verify, { scopes: ['a b'] }, /scopes must be an array of scope tokens/],
  ['onError unknown', verify, { onError: 'throw' }, /onError must be 'respond' or 'next'/],
  ['token not a function', verify, { token: 'cookie' }, /token must be a function/],
];
for (const [name, verifier, options, message] of BAD_OPTIONS) {
  test(`adapters: ${name} → TypeError at setup`, () => {
    assert.throws(() => readAuthOptions('test', verifier, options), (error: unknown) => error instanceof TypeError && message.test(error.message));
  });
}

test('adapters: defaults are respond, no scopes, the Authorization header', () => {
  assert.deepEqual(readAuthOptions('test', verify, undefined), { callOptions: {}, respond: true, token: undefined });
  assert.equal(readAuthOptions('test', verify, { onError: 'next' }).respond, false);
  assert.deepEqual(readAuthOptions('test', verify, { scopes: ['admin'] }).callOptions, { scopes: ['admin'] });
});

test('adapters: the token getter replaces the header and goes through verify.token', async () => {
  const fromCookie = readAuthOptions<{ cookie: string | undefined }>('test', verify, { token: (request: { cookie: string | undefined }) => request.cookie, scopes: ['read:profile'] });
  const claims = await authenticate(verify, fromCookie, { cookie: token() }, { authorization: 'Bearer ignored' });
  assert.equal(claims.sub, 'user_123');
  assert.equal(await outcome(authenticate(verify, fromCookie, { cookie: undefined }, { authorization: `Bearer ${token()}` })), 'auth.authorization_header_missing');
  assert.equal(await outcome(authenticate(verify, fromCookie, { cookie: token('other') }, {})), 'auth.insufficient_scope');
  const asyncGetter = readAuthOptions('test', verify, { token: async () => token() });
  assert.equal((await authenticate(verify, asyncGetter, {}, {})).sub, 'user_123');
});

test('adapters: a token getter that throws fails closed as auth.verification_failed', async () => {
  for (const getter of [() => { throw new Error('cookie parser broke'); }, () => Promise.reject(new Error('no'))]) {
    assert.equal(await outcome(authenticate(verify, readAuthOptions('test', verify, { token: getter }), {}, {})), 'auth.verification_failed');
  }
});

test("adapters: a token getter that finds nothing gets the verifier's own no-credentials answer (its realm)", async () => {
  const { createVerifier } = await import('../src/verifier.js');
  const { fixtureJwk } = await import('./support/key-server.js');
  const realmed = createVerifier({ issuer: 'https://issuer.test/oidc', audience: 'https://api.test', jwks: { keys: [fixtureJwk('es384-1')] }, realm: 'photos' });
  for (const found of [undefined, '']) {
    const error = await authenticate(realmed, readAuthOptions('test', realmed, { token: () => found }), {}, {}).catch((caught: unknown) => caught);
    assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
    assert.equal(error.code, 'auth.authorization_header_missing');
    assert.equal(error.wwwAuthenticate, 'Bearer realm="photos"');
  }
});
