// Strict base64url (RFC 7515 §2, RFC 4648 §5): one spelling per byte string, nothing else.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { decodeBase64url, decodeCanonicalBase64url, encodeBase64url } from '../src/base64url.js';
import { assertCode } from './support/outcome.js';

function assertRefused(text: unknown): void {
  assert.equal(decodeCanonicalBase64url(text as string), undefined, JSON.stringify(text));
  assertCode(() => decodeBase64url(text as string), 'auth.base64url_invalid', JSON.stringify(text));
}

test('accepts canonical base64url and decodes it', () => {
  const table: [text: string, hex: string][] = [
    ['', ''],
    ['QQ', '41'], // "A": 12 bits, the low 4 are zero
    ['QUE', '4141'], // "AA": 18 bits, the low 2 are zero
    ['QUFB', '414141'],
    ['-_8', 'fbff'], // the two URL-safe characters (62 and 63)
    ['AP8', '00ff'],
    ['Zm9vYmFy', '666f6f626172'], // RFC 4648 §10 "foobar"
  ];
  for (const [text, hex] of table) {
    assert.notEqual(decodeCanonicalBase64url(text), undefined, text);
    assert.equal(decodeBase64url(text).toString('hex'), hex, text);
  }
});

test('refuses characters outside A–Z a–z 0–9 - _ (no padding, no whitespace, no standard alphabet)', () => {
  const table = [
    'QQ==', 'QUE=', 'QQ=', // padding (RFC 7515 §2: omitted)
    '+_8', '-/8', // standard base64 alphabet (RFC 4648 §4)
    'QU E', ' QUE', 'QUE ', 'QU\nE', 'QU\tE', 'QUE\r\n', // whitespace
    'QU.E', 'QU%E', 'QUÉ', 'QU\u0000E', 'ＱＵＥ', // other characters, full-width letters
  ];
  for (const text of table) assertRefused(text);
});

test('refuses a length of 4n + 1: six bits cannot encode a byte (RFC 4648 §4)', () => {
  for (const text of ['A', 'Q', 'QUFBQ', 'AAAAAAAAA']) assertRefused(text);
});

test('refuses non-canonical final characters whose pad bits are not zero (RFC 4648 §3.5)', () => {
  // Two leftover characters: 4 pad bits. "QQ" is canonical; Q..f (values 16..31) share "A".
  for (const last of 'RSTUVWXYZabcdef') assertRefused(`Q${last}`);
  // Three leftover characters: 2 pad bits. "QUE" is canonical; F, G, H share its bytes.
  for (const last of 'FGH') assertRefused(`QU${last}`);
  // After a full quantum the rule still applies.
  assertRefused('QUFBQR');
  assertRefused('QUFBQUF');
  // Node's decoder would have returned the same bytes for all of these.
  assert.deepEqual(Buffer.from('QR', 'base64url'), Buffer.from('QQ', 'base64url'));
});

test('refuses values that are not strings', () => {
  for (const value of [undefined, null, 0, ['QQ'], Buffer.from('QQ')]) assertRefused(value);
});

test('round trip: encode gives the canonical form and decode returns the bytes', () => {
  for (let length = 0; length < 70; length++) {
    const bytes = randomBytes(length);
    const text = encodeBase64url(bytes);
    assert.notEqual(decodeCanonicalBase64url(text), undefined);
    assert.deepEqual(decodeBase64url(text), bytes);
  }
});

test('encode respects the view of a Uint8Array into a larger buffer', () => {
  const whole = Buffer.from('xxabcxx');
  assert.equal(encodeBase64url(whole.subarray(2, 5)), 'YWJj');
  assert.equal(encodeBase64url(new Uint8Array(whole.buffer, whole.byteOffset + 2, 3)), 'YWJj');
});
