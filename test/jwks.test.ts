// JWK Sets (RFC 7517 §5): unusable keys are skipped with their code; key selection by kid,
// or by being the only key that fits, and ambiguity refused.

import assert from 'node:assert/strict';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { JwsAlgorithm } from '../src/algorithms.js';
import { AuthError, type AuthErrorCode } from '../src/errors.js';
import { importJwkSet, MAX_JWKS_KEYS, selectKey, type KeySet } from '../src/jwks.js';
import { assertCode } from './support/outcome.js';

type Jwk = Record<string, unknown>;
const jwkOf = (key: ReturnType<typeof generateKeyPairSync>['publicKey']): Jwk => ({ ...(key.export({ format: 'jwk' }) as JsonWebKey) });

const P256_A = jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
const P256_B = jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
const P384 = jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
const RSA = jwkOf(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
const RSA_SMALL = jwkOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey);
const ED25519 = jwkOf(generateKeyPairSync('ed25519').publicKey);


test('a document that is not { "keys": [...] } is auth.jwks_invalid', () => {
  const table: unknown[] = [null, undefined, 'keys', [], [P256_A], {}, { keys: null }, { keys: {} }, { keys: P256_A }, { keys: 'x' }, { Keys: [P256_A] }];
  for (const document of table) assertCode(() => importJwkSet(document), 'auth.jwks_invalid', JSON.stringify(document) ?? 'undefined');
  assert.deepEqual(importJwkSet({ keys: [] }).keys, []);
});

test(`more than ${MAX_JWKS_KEYS} keys is auth.jwks_invalid, before any key is imported`, () => {
  assert.equal(MAX_JWKS_KEYS, 100);
  const keys = (count: number) => Array.from({ length: count }, (_, index) => ({ ...P256_A, kid: `k${index}` }));
  assert.equal(importJwkSet({ keys: keys(MAX_JWKS_KEYS) }).keys.length, MAX_JWKS_KEYS);
  let touched = false;
  const watched = { get kty(): string { touched = true; return 'EC'; } };
  assertCode(() => importJwkSet({ keys: [watched, ...keys(MAX_JWKS_KEYS)] }), 'auth.jwks_invalid', `${MAX_JWKS_KEYS + 1} keys`);
  assert.equal(touched, false);
  // Skipped keys count too: the cost is in looking at them.
  assertCode(() => importJwkSet({ keys: Array.from({ length: MAX_JWKS_KEYS + 1 }, () => 'not a key') }), 'auth.jwks_invalid', 'unusable');
});

test('unusable keys are skipped with their index, kid and code; the rest are kept', () => {
  const throwingKey = { kid: 'getter', get kty(): string { throw new TypeError('not an AuthError'); } };
  const keySet = importJwkSet({
    keys: [
      { ...P256_A, kid: 'good-ec' },
      { ...P256_B, kid: 'private', d: 'AAAA' },
      { ...RSA_SMALL, kid: 'small' },
      { kty: 'oct', kid: 'hmac', k: 'c2VjcmV0' },
      { kty: 'OKP', crv: 'X25519', x: ED25519['x'], kid: 'x25519' },
      { ...P256_B, kid: 'enc', use: 'enc' },
      { ...P256_B, kid: 'bad-alg', alg: 'RS256' },
      { ...P256_B, kid: 'unknown-alg', alg: 'HS256' },
      'not a key',
      { ...RSA, kid: 'good-rsa' },
      { ...P256_B, kid: 7 },
      throwingKey,
    ],
  });
  assert.deepEqual(keySet.keys.map((key) => key.kid), ['good-ec', 'good-rsa']);
  assert.deepEqual(keySet.skipped, [
    { index: 1, kid: 'private', code: 'auth.jwk_private_key' },
    { index: 2, kid: 'small', code: 'auth.jwk_rsa_too_small' },
    { index: 3, kid: 'hmac', code: 'auth.jwk_private_key' },
    { index: 4, kid: 'x25519', code: 'auth.jwk_unsupported' },
    { index: 5, kid: 'enc', code: 'auth.jwk_not_for_signature' },
    { index: 6, kid: 'bad-alg', code: 'auth.jwk_invalid' },
    { index: 7, kid: 'unknown-alg', code: 'auth.jwk_unsupported' },
    { index: 8, kid: undefined, code: 'auth.jwk_invalid' },
    { index: 10, kid: undefined, code: 'auth.jwk_invalid' },
    // Fail closed: an unexpected exception while importing is still just a skipped key.
    { index: 11, kid: 'getter', code: 'auth.jwk_invalid' },
  ]);
  assert.ok(Object.isFrozen(keySet) && Object.isFrozen(keySet.keys) && Object.isFrozen(keySet.skipped), 'Object.isFrozen(keySet) && Object.isFrozen(keySet.keys) && Object.isFrozen(keySet.skipped)');
});

const SET: KeySet = importJwkSet({
  keys: [
    { ...P256_A, kid: 'ec-a', alg: 'ES256' },
    { ...P384, kid: 'ec-384' },
    { ...RSA, kid: 'rsa-rs256', alg: 'RS256' },
    { ...ED25519, kid: 'ed' },
    // A rotated pair that shares a kid but not a type: the alg decides.
    { ...P256_B, kid: 'shared' },
    { ...RSA, kid: 'shared', alg: 'PS256' },
    // The same kid twice on keys of one type: ambiguous.
    { ...P256_A, kid: 'twice' },
    { ...P256_B, kid: 'twice' },
  ],
});

test('selectKey: by kid, and by being the only key that fits when the token has no kid (RFC 7515 §4.1.4)', () => {
  const found: [alg: JwsAlgorithm, kid: string | undefined, expectedKid: string | undefined][] = [
    ['ES256', 'ec-a', 'ec-a'],
    ['ES384', 'ec-384', 'ec-384'],
    ['RS256', 'rsa-rs256', 'rsa-rs256'],
    ['EdDSA', 'ed', 'ed'],
    ['ES256', 'shared', 'shared'],
    ['PS256', 'shared', 'shared'],
    // No kid: exactly one key in the set can verify these algorithms.
    ['ES384', undefined, 'ec-384'],
    ['EdDSA', undefined, 'ed'],
    ['RS256', undefined, 'rsa-rs256'],
    ['PS256', undefined, 'shared'],
  ];
  for (const [alg, kid, expectedKid] of found) {
    const key = selectKey(SET, alg, kid);
    assert.equal(key.kid, expectedKid, `${alg} ${String(kid)}`);
    assert.ok(key.algorithms.has(alg), 'key.algorithms.has(alg)');
  }
  assert.equal(selectKey(SET, 'ES256', 'shared').kty, 'EC');
  assert.equal(selectKey(SET, 'PS256', 'shared').kty, 'RSA');
});

test('selectKey: no key, several keys, or a kid whose key forbids the alg are refused', () => {
  const refused: [label: string, alg: JwsAlgorithm, kid: string | undefined, code: AuthErrorCode][] = [
    ['unknown kid', 'ES256', 'nope', 'auth.jwks_key_not_found'],
    ['kid differs only in case', 'ES256', 'EC-A', 'auth.jwks_key_not_found'],
    ['empty kid', 'ES256', '', 'auth.jwks_key_not_found'],
    ['no kid, several ES256 keys', 'ES256', undefined, 'auth.jwks_key_not_found'],
    ['no kid, no key for ES512', 'ES512', undefined, 'auth.jwks_key_not_found'],
    ['no kid, RS384 fits no key (RSA keys are pinned)', 'RS384', undefined, 'auth.jwks_key_not_found'],
    ['duplicate kid, both fit', 'ES256', 'twice', 'auth.jwks_key_not_found'],
    ['kid found, alg of another key type', 'RS256', 'ec-a', 'auth.jwk_alg_mismatch'],
    ['kid found, key pinned to RS256, token PS256', 'PS256', 'rsa-rs256', 'auth.jwk_alg_mismatch'],
    ['kid found, P-384 key, token ES256', 'ES256', 'ec-384', 'auth.jwk_alg_mismatch'],
    ['shared kid, neither key fits', 'EdDSA', 'shared', 'auth.jwk_alg_mismatch'],
  ];
  for (const [label, alg, kid, code] of refused) assertCode(() => selectKey(SET, alg, kid), code, label);
  assertCode(() => selectKey({ keys: [], skipped: [] }, 'ES256', undefined), 'auth.jwks_key_not_found', 'empty set');
  assertCode(() => selectKey({ keys: [], skipped: [] }, 'ES256', 'k'), 'auth.jwks_key_not_found', 'empty set with kid');
});

test('selectKey: a skipped key is never selected, even by its kid', () => {
  const keySet = importJwkSet({ keys: [{ ...RSA_SMALL, kid: 'small' }, { ...P256_A, kid: 'ok' }] });
  assertCode(() => selectKey(keySet, 'RS256', 'small'), 'auth.jwks_key_not_found', 'skipped kid');
  assertCode(() => selectKey(keySet, 'RS256', undefined), 'auth.jwks_key_not_found', 'skipped, no kid');
});

test('selectKey: the detail names the reason, the token\'s kid and alg, and the kids we hold', () => {
  const knownKids = SET.keys.map((key) => key.kid);
  const table: [label: string, alg: JwsAlgorithm, kid: string | undefined, reason: string][] = [
    ['unknown kid', 'ES256', 'nope', 'kid_unknown'],
    ['no kid, no key for ES512', 'ES512', undefined, 'no_key_for_alg'],
    ['no kid, several ES256 keys', 'ES256', undefined, 'several_keys'],
    ['duplicate kid, both fit', 'ES256', 'twice', 'several_keys'],
    ['kid found, alg of another key type', 'RS256', 'ec-a', 'key_does_not_allow_alg'],
  ];
  for (const [label, alg, kid, reason] of table) {
    assert.throws(() => selectKey(SET, alg, kid), (error: unknown) => {
      assert.ok(error instanceof AuthError, label);
      assert.deepEqual(error.detail, { check: 'key', reason, kid, alg, knownKids }, label);
      return true;
    }, label);
  }
  assert.ok(knownKids.includes('ec-a') && knownKids.length === SET.keys.length, 'the kids of the set');
});

test('a set that is not { "keys": [...] } says what it found', () => {
  assert.throws(() => importJwkSet({ keys: {} }), (error: unknown) => error instanceof AuthError
    && isDeepStrictEqual(error.detail, { check: 'jwks', expected: `{ "keys": [...] } with at most ${MAX_JWKS_KEYS} keys`, found: 'keys: object' }));
  assert.throws(() => importJwkSet({ keys: Array.from({ length: MAX_JWKS_KEYS + 1 }, () => ({})) }), (error: unknown) => error instanceof AuthError
    && isDeepStrictEqual(error.detail, { check: 'jwks', expected: `{ "keys": [...] } with at most ${MAX_JWKS_KEYS} keys`, found: `${MAX_JWKS_KEYS + 1} keys` }));
});
