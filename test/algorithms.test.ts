// The one algorithm table (RFC 7518 §3.1, RFC 8037 §3.1), checked row by row against the RFCs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { algorithmsForKey, getAlgorithm, MIN_RSA_MODULUS_BITS, SUPPORTED_ALGORITHMS } from '../src/algorithms.js';

test('every row says what the RFCs say', () => {
  // name, kty, hash, curve, signature length, padding, salt length
  const rows = [
    ['ES256', 'EC', 'sha256', 'P-256', 64, null, null], // RFC 7518 §3.4
    ['ES384', 'EC', 'sha384', 'P-384', 96, null, null],
    ['ES512', 'EC', 'sha512', 'P-521', 132, null, null],
    ['RS256', 'RSA', 'sha256', null, null, 'pkcs1', null], // RFC 7518 §3.3
    ['RS384', 'RSA', 'sha384', null, null, 'pkcs1', null],
    ['RS512', 'RSA', 'sha512', null, null, 'pkcs1', null],
    ['PS256', 'RSA', 'sha256', null, null, 'pss', 32], // RFC 7518 §3.5
    ['PS384', 'RSA', 'sha384', null, null, 'pss', 48],
    ['PS512', 'RSA', 'sha512', null, null, 'pss', 64],
    ['EdDSA', 'OKP', null, 'Ed25519', 64, null, null], // RFC 8037 §3.1
  ] as const;
  assert.deepEqual([...SUPPORTED_ALGORITHMS], rows.map((row) => row[0]));
  for (const [name, kty, hash, curve, signatureLength, padding, saltLength] of rows) {
    const spec = getAlgorithm(name);
    assert.ok(spec !== undefined && Object.isFrozen(spec), name);
    assert.deepEqual(
      { name: spec.name, kty: spec.kty, hash: spec.hash, curve: spec.curve, signatureLength: spec.signatureLength, padding: spec.padding, saltLength: spec.saltLength },
      { name, kty, hash, curve, signatureLength, padding, saltLength },
      name,
    );
  }
  assert.equal(MIN_RSA_MODULUS_BITS, 2048);
  assert.ok(Object.isFrozen(SUPPORTED_ALGORITHMS));
});

test('none, HS*, other names and non-strings are not in the table', () => {
  for (const alg of ['none', 'HS256', 'HS384', 'HS512', 'ES256K', 'Ed25519', 'es256', '', '__proto__', 'constructor', 'hasOwnProperty', 256, null, undefined, {}]) {
    assert.equal(getAlgorithm(alg), undefined, String(alg));
  }
});

test('algorithmsForKey binds each key type (and curve) to its algorithms', () => {
  assert.deepEqual(algorithmsForKey('EC', 'P-256'), ['ES256']);
  assert.deepEqual(algorithmsForKey('EC', 'P-384'), ['ES384']);
  assert.deepEqual(algorithmsForKey('EC', 'P-521'), ['ES512']);
  assert.deepEqual(algorithmsForKey('RSA', null), ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
  assert.deepEqual(algorithmsForKey('OKP', 'Ed25519'), ['EdDSA']);
  assert.deepEqual(algorithmsForKey('EC', 'Ed25519'), []);
  assert.deepEqual(algorithmsForKey('OKP', 'P-256'), []);
});
