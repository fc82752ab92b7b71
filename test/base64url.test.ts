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

// The decoder checks RFC 4648's rules directly (alphabet, length ≠ 4n + 1, zero pad bits)
// instead of re-encoding what it decoded. Both rules must agree on every input: here against
// the re-encode rule built from Node's encoder, exhaustively up to three characters and on
// random strings, including characters Node's decoder skips, accepts from the standard
// alphabet, or reads by their low byte (Ł is U+0141, whose low byte is "A").
const reEncodeRule = (text: string): boolean => Buffer.from(text, 'base64url').toString('base64url') === text;
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const FOREIGN = '+/=. \n~\u0000éŁ\u{1F600}';

function disagreements(texts: Iterable<string>): string[] {
  const found: string[] = [];
  for (const text of texts) {
    const canonical = decodeCanonicalBase64url(text) !== undefined;
    if (canonical !== reEncodeRule(text)) found.push(JSON.stringify(text));
    if (canonical && !decodeCanonicalBase64url(text)!.equals(Buffer.from(text, 'base64url'))) found.push(`bytes of ${text}`);
  }
  return found;
}

function* allStrings(alphabet: string, length: number): Generator<string> {
  if (length === 0) { yield ''; return; }
  for (const prefix of allStrings(alphabet, length - 1)) for (const char of alphabet) yield prefix + char;
}

test('canonical rule equals the re-encode rule: every string of up to 3 characters', () => {
  const characters = [...URL_SAFE, ...FOREIGN].join('');
  const found: string[] = [];
  for (let length = 0; length <= 2; length++) found.push(...disagreements(allStrings(characters, length)));
  // Three characters: every pad-bit case (2 unused bits) over the alphabet, and foreign characters in each place.
  found.push(...disagreements(allStrings(URL_SAFE, 3)));
  for (const foreign of FOREIGN) found.push(...disagreements([`${foreign}QQ`, `Q${foreign}Q`, `QQ${foreign}`, `QU${foreign}`]));
  assert.deepEqual(found, []);
});

test('canonical rule equals the re-encode rule: random strings and altered encodings (seeded)', () => {
  let state = 0x2545f491;
  const random = () => { state ^= state << 13; state ^= state >>> 17; state ^= state << 5; return (state >>> 0) / 2 ** 32; };
  const texts: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const length = Math.floor(random() * 24);
    let text = '';
    // Mostly alphabet characters, so the length and pad-bit rules decide most cases.
    for (let j = 0; j < length; j++) text += random() < 0.97 ? URL_SAFE[Math.floor(random() * 64)] : [...FOREIGN][Math.floor(random() * [...FOREIGN].length)];
    texts.push(text);
  }
  for (let length = 0; length < 40; length++) {
    const encoded = randomBytes(length).toString('base64url');
    texts.push(encoded, `${encoded}=`, `${encoded}A`, encoded.slice(0, -1));
    for (const last of URL_SAFE) texts.push(encoded.slice(0, -1) + last);
  }
  assert.deepEqual(disagreements(texts), []);
});
