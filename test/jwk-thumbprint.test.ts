// computeJwkThumbprint against the thumbprints published in the RFCs (not computed by us).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeJwkThumbprint } from '../src/jwk-thumbprint.js';

// RFC 7638 §3.1: the RSA key of its example and the thumbprint the RFC gives for it.
const RFC7638_JWK = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};
const RFC7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

// RFC 8037 A.3: the Ed25519 public key of A.2 and its thumbprint.
const RFC8037_JWK = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
const RFC8037_THUMBPRINT = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';

test('jwk-thumbprint: RFC 7638 §3.1 RSA example (alg and kid are not hashed)', () => {
  assert.equal(computeJwkThumbprint(RFC7638_JWK), RFC7638_THUMBPRINT);
});

test('jwk-thumbprint: RFC 8037 A.3 Ed25519 example', () => {
  assert.equal(computeJwkThumbprint(RFC8037_JWK), RFC8037_THUMBPRINT);
});

test('jwk-thumbprint: member order and optional members do not change it; a key member does', () => {
  const reordered = { kid: 'other', use: 'sig', e: RFC7638_JWK.e, n: RFC7638_JWK.n, kty: 'RSA', x5t: 'ignored' };
  assert.equal(computeJwkThumbprint(reordered), RFC7638_THUMBPRINT);
  assert.notEqual(computeJwkThumbprint({ ...RFC8037_JWK, x: RFC8037_JWK.x.replace(/^1/, '2') }), RFC8037_THUMBPRINT);
});

test('jwk-thumbprint: a JWK without its required members, or of a type it cannot name, has none', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['no kty', { n: RFC7638_JWK.n, e: 'AQAB' }, 'auth.jwk_invalid'],
    ['RSA without e', { kty: 'RSA', n: RFC7638_JWK.n }, 'auth.jwk_invalid'],
    ['EC without y', { kty: 'EC', crv: 'P-256', x: 'AAAA' }, 'auth.jwk_invalid'],
    ['OKP x not a string', { kty: 'OKP', crv: 'Ed25519', x: 12 }, 'auth.jwk_invalid'],
    ['unknown kty', { kty: 'XYZ', x: 'AAAA' }, 'auth.jwk_unsupported'],
    ['inherited kty name', { kty: 'toString' }, 'auth.jwk_unsupported'],
  ];
  for (const [name, jwk, code] of cases) {
    assert.throws(() => computeJwkThumbprint(jwk), { code }, name);
  }
});
