import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTH_ERROR_CODES, AuthError, toAuthError } from '../src/errors.js';

// Every .ts file of the library (src/ minus the demo, which only uses the public API).
function librarySources(dir = 'src'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'demo' ? [] : librarySources(path);
    return entry.name.endsWith('.ts') && path !== join('src', 'errors.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

test('errors: the table has no duplicates and no dead entries: every code is raised somewhere in src/', () => {
  assert.equal(new Set(AUTH_ERROR_CODES).size, AUTH_ERROR_CODES.length);
  const sources = librarySources().join('\n');
  assert.deepEqual(AUTH_ERROR_CODES.filter((code) => !sources.includes(`'${code}'`)), []);
});

test('errors: every code is namespaced, has a status and a fixed message', () => {
  for (const code of AUTH_ERROR_CODES) {
    const error = new AuthError(code);
    assert.match(code, /^auth\.[a-z0-9_]+$/);
    assert.ok([401, 403, 503].includes(error.status), code);
    assert.ok(error.message.length > 0, code);
    assert.equal(error.name, 'AuthError');
    assert.ok(error.wwwAuthenticate.startsWith('Bearer realm="api"'), code);
  }
});

test('errors: no error attribute when the request carried no Bearer credentials (RFC 6750 §3.1)', () => {
  for (const code of ['auth.authorization_header_missing', 'auth.authorization_token_type_not_supported'] as const) {
    const error = new AuthError(code);
    assert.equal(error.error, undefined);
    assert.equal(error.wwwAuthenticate, 'Bearer realm="api"');
  }
});

test('errors: challenge attributes for a bad token and a bad request', () => {
  const invalidToken = new AuthError('auth.jwt_expired');
  assert.equal(invalidToken.error, 'invalid_token');
  assert.equal(invalidToken.wwwAuthenticate, 'Bearer realm="api", error="invalid_token", error_description="The token has expired."');
  assert.equal(new AuthError('auth.authorization_token_invalid_format').error, 'invalid_request');
});

test('errors: quoted-string escaping keeps the header one well-formed value (RFC 9110 §5.6.4)', () => {
  const error = new AuthError('auth.insufficient_scope', { requiredScopes: ['a"b', 'c\\d'], realm: 'my "realm"\r\nX-Injected: 1' });
  const header = error.wwwAuthenticate;
  assert.ok(!/[\r\n]/.test(header), 'no line breaks can reach the header');
  assert.ok(header.startsWith('Bearer realm="my \\"realm\\"??X-Injected: 1"'), header);
  assert.match(header, /scope="a\\"b c\\\\d"$/);
});

test('errors: statuses: 403 for scope, 503 for keys unavailable, 401 otherwise', () => {
  assert.equal(new AuthError('auth.insufficient_scope').status, 403);
  assert.equal(new AuthError('auth.jwks_unavailable').status, 503);
  assert.equal(new AuthError('auth.jwks_unavailable').error, undefined);
  assert.equal(new AuthError('auth.jws_signature_invalid').status, 401);
});

test('errors: anything unexpected fails closed as invalid_token', () => {
  const wrapped = toAuthError(new TypeError('boom'));
  assert.equal(wrapped.code, 'auth.verification_failed');
  assert.equal(wrapped.error, 'invalid_token');
  assert.equal(wrapped.status, 401);
  const original = new AuthError('auth.jwt_expired');
  assert.equal(toAuthError(original), original);
});

test('errors: messages hold no `"` or `\\`, which RFC 6750 §3 keeps out of error_description', () => {
  for (const code of AUTH_ERROR_CODES) {
    assert.doesNotMatch(new AuthError(code).message, /["\\]/, code);
  }
});

test('errors: several challenges (RFC 7235 §4.1): the first carries error and scope, each its own params', () => {
  const error = new AuthError('auth.insufficient_scope', {
    requiredScopes: ['admin'], realm: 'r',
    challenges: [{ scheme: 'DPoP', params: { algs: 'ES256 EdDSA' } }, { scheme: 'Bearer' }],
  });
  assert.equal(error.wwwAuthenticate,
    `DPoP realm="r", error="insufficient_scope", error_description="${error.message}", scope="admin", algs="ES256 EdDSA", Bearer realm="r"`);
  const injected = new AuthError('auth.authorization_header_missing', { challenges: [{ scheme: 'X', params: { p: 'a"b\r\n' } }] });
  assert.equal(injected.wwwAuthenticate, 'X realm="api", p="a\\"b??"');
});

// The response pieces every adapter, the demo and the README send: one table.
const RESPONSES: Array<[code: AuthErrorCodeName, bodyError: string, retryAfter: string | undefined]> = [
  ['auth.authorization_header_missing', 'unauthorized', undefined],
  ['auth.authorization_token_type_not_supported', 'unauthorized', undefined],
  ['auth.authorization_token_invalid_format', 'invalid_request', undefined],
  ['auth.jwt_expired', 'invalid_token', undefined],
  ['auth.insufficient_scope', 'insufficient_scope', undefined],
  ['auth.jwks_unavailable', 'temporarily_unavailable', '30'],
  ['auth.discovery_invalid', 'temporarily_unavailable', '30'],
  ['auth.dpop_proof_replayed', 'invalid_dpop_proof', undefined],
  ['auth.dpop_nonce_required', 'use_dpop_nonce', undefined],
  ['auth.dpop_replay_store_unavailable', 'temporarily_unavailable', '30'],
];
type AuthErrorCodeName = ConstructorParameters<typeof AuthError>[0];
for (const [code, bodyError, retryAfter] of RESPONSES) {
  test(`errors: ${code} → body error "${bodyError}", headers with no-store${retryAfter === undefined ? '' : ` and Retry-After ${retryAfter}`}`, () => {
    const error = new AuthError(code, { requiredScopes: code === 'auth.insufficient_scope' ? ['admin'] : undefined });
    assert.deepEqual(error.body, { error: bodyError, code, message: error.message });
    assert.deepEqual(Object.keys(error.body), ['error', 'code', 'message']);
    const expected: Record<string, string> = {
      'www-authenticate': error.wwwAuthenticate,
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
    };
    if (retryAfter !== undefined) expected['retry-after'] = retryAfter;
    assert.deepEqual(error.headers, expected);
  });
}

test('errors: every 503 code carries retryAfter, no other code does', () => {
  for (const code of AUTH_ERROR_CODES) {
    const error = new AuthError(code);
    assert.equal(error.retryAfter, error.status === 503 ? 30 : undefined, code);
    assert.equal('retry-after' in error.headers, error.status === 503, code);
  }
});

test('errors: retryAfter from the key source is rounded up to whole seconds; bad values fall back', () => {
  assert.equal(new AuthError('auth.jwks_unavailable', { retryAfter: 1.2 }).headers['retry-after'], '2');
  assert.equal(new AuthError('auth.jwks_unavailable', { retryAfter: 0 }).retryAfter, 0);
  for (const bad of [-1, Number.NaN, Infinity]) assert.equal(new AuthError('auth.jwks_unavailable', { retryAfter: bad }).retryAfter, 30);
  assert.equal(new AuthError('auth.jwt_expired', { retryAfter: 5 }).retryAfter, undefined);
});
