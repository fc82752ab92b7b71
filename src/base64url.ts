// Strict base64url (RFC 7515 §2, RFC 4648 §5): the alphabet A–Z a–z 0–9 - _, no padding,
// no whitespace, and only the canonical encoding of each byte string.
//
// Node's Buffer.from(text, 'base64url') skips characters it does not know, accepts '+' '/'
// and '=', and ignores the unused low bits of the last character, so several strings decode
// to the same bytes. A signature segment must have exactly one spelling. Every byte string
// has exactly one canonical spelling (RFC 4648 §3.5: pad bits zero; §4: never 4n + 1
// characters), so `text` is canonical exactly when re-encoding what it decodes to gives
// `text` back. That one comparison refuses every other spelling, whatever Node made of it.

import { AuthError } from './errors.js';

export function decodeBase64url(text: string): Buffer {
  const bytes = decodeCanonicalBase64url(text);
  if (bytes === undefined) throw new AuthError('auth.base64url_invalid');
  return bytes;
}

/** The bytes `text` encodes, or undefined unless `text` is their one canonical spelling. */
export function decodeCanonicalBase64url(text: string): Buffer | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
