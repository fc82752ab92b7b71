// The published JWS examples of RFC 7515, RFC 7520 and RFC 8037, read in place from
// ../shared/vectors/rfc/rfc-vectors.json (CLEARJWT_RFC_VECTORS to override): each verifies
// with its JWK, yields the printed payload, and stops verifying after a one-bit change.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importJwkSet } from '../src/jwks.js';
import { verifyCompactJws } from '../src/verify-jws.js';
import { assertAllAsExpected, outcome } from './support/outcome.js';
import { missingVectors, readJson, RFC_VECTORS_FILE } from './support/vectors.js';

interface RfcVector {
  readonly name: string;
  readonly source: string;
  readonly alg: string;
  readonly jwk: Record<string, unknown>;
  readonly jws: string;
  readonly payload: string;
  readonly expect: 'valid';
}

const skip = missingVectors(RFC_VECTORS_FILE, 'RFC vectors');
const vectors = skip === undefined ? readJson(RFC_VECTORS_FILE) as RfcVector[] : [];

function flipBit(jws: string, bit: number): string {
  const dot = jws.lastIndexOf('.');
  const signature = Buffer.from(jws.slice(dot + 1), 'base64url');
  signature[bit >> 3]! ^= 1 << (bit & 7);
  return `${jws.slice(0, dot + 1)}${signature.toString('base64url')}`;
}

test('RFC examples: every vector verifies and its payload is the printed one', { skip }, async () => {
  assert.equal(vectors.length, 7);
  const rows = [];
  for (const vector of vectors) {
    const keySet = importJwkSet({ keys: [vector.jwk] });
    const verified = await verifyCompactJws(vector.jws, keySet).then((value) => value, (error: unknown) => new Error(String(error)));
    rows.push({
      name: vector.name,
      expected: { expect: 'valid', skipped: [], alg: vector.alg, payload: vector.payload },
      actual: verified instanceof Error
        ? { error: String(verified) }
        : { expect: vector.expect, skipped: keySet.skipped, alg: verified.header.alg, payload: verified.payload.toString('utf8') },
    });
  }
  assertAllAsExpected(rows);
  console.log(`rfc-vectors: ${vectors.length} vectors verified (${vectors.map((vector) => vector.alg).join(', ')})`);
});

test('RFC examples: a one-bit change anywhere in the signature makes each fail', { skip }, async () => {
  const rows = [];
  for (const vector of vectors) {
    const keySet = importJwkSet({ keys: [vector.jwk] });
    const length = Buffer.from(vector.jws.slice(vector.jws.lastIndexOf('.') + 1), 'base64url').length;
    // First bit, last bit, and a spread of bits between (every bit would be 8 × length checks).
    const bits = new Set([0, 7, length * 4, length * 8 - 1, ...Array.from({ length: 16 }, (_, index) => Math.floor((index * length * 8) / 16))]);
    for (const bit of bits) {
      rows.push({ name: `${vector.name} bit ${bit}`, expected: 'auth.jws_signature_invalid', actual: await outcome(verifyCompactJws(flipBit(vector.jws, bit), keySet)) });
    }
  }
  assert.equal(rows.length > vectors.length * 16, true, 'at least 17 flipped bits per vector');
  assertAllAsExpected(rows);
});
