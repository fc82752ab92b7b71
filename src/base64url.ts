// Strict base64url (RFC 7515 §2, RFC 4648 §5): the alphabet A–Z a–z 0–9 - _, no padding,
// no whitespace, and only the canonical encoding of each byte string.
//
// Node's Buffer.from(text, 'base64url') skips characters it does not know, accepts '+' '/'
// and '=', and ignores the unused low bits of the last character, so several strings decode
// to the same bytes. A signature segment must have exactly one spelling. Every byte string
// has exactly one canonical spelling, and a string of alphabet characters is it exactly when
// (RFC 4648 §4) its length is not 4n + 1 — six bits cannot make a byte — and (§3.5) the bits
// of its last character that encode no byte are zero. test/base64url.test.ts proves this
// rule equal to "re-encoding the decoded bytes gives the text back" over every string of up
// to three characters and many random ones. (Both cost the same; this one states the RFC.)

import { AuthError } from './errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const OUTSIDE_ALPHABET = /[^A-Za-z0-9_-]/;

export function decodeBase64url(text: string): Buffer {
  const bytes = decodeCanonicalBase64url(text);
  if (bytes === undefined) throw new AuthError('auth.base64url_invalid', { detail: { check: 'base64url' } });
  return bytes;
}

/** The bytes `text` encodes, or undefined unless `text` is their one canonical spelling. */
export function decodeCanonicalBase64url(text: string): Buffer | undefined {
  if (typeof text !== 'string' || OUTSIDE_ALPHABET.test(text)) return undefined;
  const leftover = text.length % 4;
  if (leftover === 1) return undefined; // RFC 4648 §4
  // RFC 4648 §3.5: 2 leftover characters carry 1 byte and 4 unused bits; 3 carry 2 bytes and 2.
  const unusedBits = leftover === 2 ? 0b1111 : leftover === 3 ? 0b11 : 0;
  if ((ALPHABET.indexOf(text.charAt(text.length - 1)) & unusedBits) !== 0) return undefined;
  return Buffer.from(text, 'base64url');
}

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
