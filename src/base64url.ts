// Strict base64url (RFC 7515 §2, RFC 4648 §5): the alphabet A–Z a–z 0–9 - _, no padding,
// no whitespace, and only the canonical encoding of each byte string.
//
// Node's Buffer.from(text, 'base64url') skips characters it does not know and ignores the
// unused low bits of the last character, so several strings decode to the same bytes. A
// signature segment must have exactly one spelling, so we validate before decoding.

import { AuthError } from './errors.js';

const ALPHABET = /^[A-Za-z0-9_-]*$/;
const VALUES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function decodeBase64url(text: string): Buffer {
  if (!isCanonicalBase64url(text)) throw new AuthError('auth.base64url_invalid');
  return Buffer.from(text, 'base64url');
}

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function isCanonicalBase64url(text: string): boolean {
  if (typeof text !== 'string' || !ALPHABET.test(text)) return false;
  const remainder = text.length % 4;
  // RFC 4648 §4: a final quantum carries 8 or 16 bits, i.e. 2 or 3 characters; one
  // leftover character (6 bits) cannot encode a byte.
  if (remainder === 1) return false;
  if (remainder === 0) return true;
  // RFC 4648 §3.5: the pad bits of the last character must be zero. Two leftover characters
  // hold 12 bits for 8 (4 pad bits), three hold 18 bits for 16 (2 pad bits).
  const lastValue = VALUES.indexOf(text[text.length - 1]!);
  const padMask = remainder === 2 ? 0b1111 : 0b11;
  return (lastValue & padMask) === 0;
}
