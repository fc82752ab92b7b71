// The one algorithm table (RFC 7518 §3.1, RFC 8037 §3.1), checked row by row against the RFCs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { algorithmsForKey, getAlgorithm, RSA_KEY_BOUNDS, SUPPORTED_ALGORITHMS } from '../src/algorithms.js';
import { assertAllAsExpected } from './support/outcome.js';

test('every row says what the RFCs say', () => {
  // Written out in full from the RFCs, not from our constructors.
  const rows = {
    ES256: { family: 'ECDSA', kty: 'EC', curve: 'P-256', hash: 'sha256', signatureLength: 64, offThread: false }, // RFC 7518 §3.4
    ES384: { family: 'ECDSA', kty: 'EC', curve: 'P-384', hash: 'sha384', signatureLength: 96, offThread: true },
    ES512: { family: 'ECDSA', kty: 'EC', curve: 'P-521', hash: 'sha512', signatureLength: 132, offThread: true },
    RS256: { family: 'RSASSA-PKCS1-v1_5', kty: 'RSA', hash: 'sha256', offThread: false }, // RFC 7518 §3.3
    RS384: { family: 'RSASSA-PKCS1-v1_5', kty: 'RSA', hash: 'sha384', offThread: false },
    RS512: { family: 'RSASSA-PKCS1-v1_5', kty: 'RSA', hash: 'sha512', offThread: false },
    PS256: { family: 'RSASSA-PSS', kty: 'RSA', hash: 'sha256', saltLength: 32, offThread: false }, // RFC 7518 §3.5
    PS384: { family: 'RSASSA-PSS', kty: 'RSA', hash: 'sha384', saltLength: 48, offThread: false },
    PS512: { family: 'RSASSA-PSS', kty: 'RSA', hash: 'sha512', saltLength: 64, offThread: false },
    EdDSA: { family: 'EdDSA', kty: 'OKP', curve: 'Ed25519', signatureLength: 64, offThread: false }, // RFC 8037 §3.1
    Ed25519: { family: 'EdDSA', kty: 'OKP', curve: 'Ed25519', signatureLength: 64, offThread: false }, // RFC 9864 §2.2
  } as const;
  assert.deepEqual([...SUPPORTED_ALGORITHMS], Object.keys(rows));
  assertAllAsExpected(Object.entries(rows).map(([name, expected]) => {
    const spec = getAlgorithm(name);
    return { name, expected: { name, ...expected, frozen: true }, actual: spec === undefined ? undefined : { ...spec, frozen: Object.isFrozen(spec) } };
  }));
  assert.deepEqual({ ...RSA_KEY_BOUNDS }, { minModulusBits: 2048, maxModulusBits: 16384, minExponent: 3, maxExponentBytes: 4 });
  assert.ok(Object.isFrozen(SUPPORTED_ALGORITHMS), 'Object.isFrozen(SUPPORTED_ALGORITHMS)');
});

test('none, HS*, other names and non-strings are not in the table', () => {
  for (const alg of ['none', 'HS256', 'HS384', 'HS512', 'ES256K', 'Ed448', 'ed25519', 'es256', '', '__proto__', 'constructor', 'hasOwnProperty', 256, null, undefined, {}]) {
    assert.equal(getAlgorithm(alg), undefined, String(alg));
  }
});

test('algorithmsForKey binds each key type (and curve) to its algorithms', () => {
  assert.deepEqual(algorithmsForKey('EC', 'P-256'), ['ES256']);
  assert.deepEqual(algorithmsForKey('EC', 'P-384'), ['ES384']);
  assert.deepEqual(algorithmsForKey('EC', 'P-521'), ['ES512']);
  assert.deepEqual(algorithmsForKey('RSA', null), ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
  assert.deepEqual(algorithmsForKey('OKP', 'Ed25519'), ['EdDSA', 'Ed25519']);
  assert.deepEqual(algorithmsForKey('EC', 'Ed25519'), []);
  assert.deepEqual(algorithmsForKey('OKP', 'P-256'), []);
});
