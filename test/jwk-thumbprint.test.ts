import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeJwkThumbprint } from '../src/jwk-thumbprint.js';
import { outcomeOf } from './support/outcome.js';
import { rfc9449Example } from './support/dpop.js';
import { REPO_ROOT } from './support/vectors.js';

const rfc7638 = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures', 'rfc7638', 'thumbprint-example.json'), 'utf8')) as { jwk: Record<string, string>; thumbprint: string };

test('jwk thumbprint: the RFC 7638 §3.1 example (RSA, with alg and kid that do not count)', () => {
  assert.equal(computeJwkThumbprint(rfc7638.jwk), rfc7638.thumbprint);
  // Member order in the input does not matter; only the required members are hashed.
  const reordered = Object.fromEntries(Object.entries(rfc7638.jwk).reverse());
  assert.equal(computeJwkThumbprint({ ...reordered, use: 'sig', key_ops: ['verify'] }), rfc7638.thumbprint);
});

test('jwk thumbprint: the RFC 9449 example key (EC P-256) gives the §6.1 cnf.jkt', () => {
  const example = rfc9449Example();
  const header = JSON.parse(Buffer.from(example.proof.split('.')[0]!, 'base64url').toString('utf8')) as { jwk: unknown };
  assert.equal(computeJwkThumbprint(header.jwk), example.accessTokenClaims.cnf.jkt);
});

test('jwk thumbprint: RFC 8037 Appendix A.3 (OKP Ed25519)', () => {
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
  assert.equal(computeJwkThumbprint(jwk), 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
});

test('jwk thumbprint: a changed member changes it; missing or odd members are refused with a code', () => {
  assert.notEqual(computeJwkThumbprint({ ...rfc7638.jwk, e: 'AQAC' }), rfc7638.thumbprint);
  const cases: Array<[string, unknown, string]> = [
    ['not an object', 'jwk', 'auth.jwk_invalid'],
    ['an array', [], 'auth.jwk_invalid'],
    ['no kty', { n: 'x', e: 'AQAB' }, 'auth.jwk_invalid'],
    ['unknown kty', { kty: 'XYZ' }, 'auth.jwk_unsupported'],
    ['kty from the prototype chain', { kty: 'constructor' }, 'auth.jwk_unsupported'],
    ['RSA without e', { kty: 'RSA', n: 'x' }, 'auth.jwk_invalid'],
    ['EC with a numeric x', { kty: 'EC', crv: 'P-256', x: 1, y: 'y' }, 'auth.jwk_invalid'],
  ];
  for (const [name, jwk, code] of cases) assert.equal(outcomeOf(() => computeJwkThumbprint(jwk)), code, name);
});
