// RFC 7638: the SHA-256 JWK Thumbprint, the value DPoP binds a token to (RFC 9449 §6.1
// `cnf.jkt`). Written here rather than asking Node, so the canonical form is visible.

import { createHash } from 'node:crypto';
import { AuthError } from './errors.js';
import { isPlainObject, own } from './json.js';

// RFC 7638 §3.2: only the required members of each key type, in lexicographic order of
// their names (§3.3: the order is by Unicode code point; these names are ASCII). The
// members are those of RFC 7518 §6.2.1, §6.3.1, §6.4.1 and RFC 8037 §2.
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

/** base64url(SHA-256(the canonical JSON of `jwk`'s required members)). */
export function computeJwkThumbprint(jwk: unknown): string {
  if (!isPlainObject(jwk)) throw new AuthError('auth.jwk_invalid');
  const kty = own(jwk, 'kty');
  if (typeof kty !== 'string') throw new AuthError('auth.jwk_invalid');
  const members = Object.hasOwn(REQUIRED_MEMBERS, kty) ? REQUIRED_MEMBERS[kty] : undefined;
  if (members === undefined) throw new AuthError('auth.jwk_unsupported');
  // RFC 7638 §3.3: no whitespace, and each value exactly as it appears in the JWK. Every
  // required member is a string; JSON.stringify of a string is its RFC 8259 encoding.
  const canonical = members.map((name) => {
    const value = own(jwk, name);
    if (typeof value !== 'string') throw new AuthError('auth.jwk_invalid');
    return `${JSON.stringify(name)}:${JSON.stringify(value)}`;
  });
  return createHash('sha256').update(`{${canonical.join(',')}}`, 'utf8').digest('base64url');
}
