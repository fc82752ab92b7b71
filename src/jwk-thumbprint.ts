// RFC 7638: the SHA-256 thumbprint of a public JWK, a name for the key that does not depend on
// its kid, its optional members or how the issuer ordered or spaced them.

import { createHash } from 'node:crypto';
import { AuthError } from './errors.js';

// RFC 7638 §3.2: only the required members of each key type, already in lexicographic
// order (§3.3: "sorted by their Unicode code points"). RFC 8037 §2 gives OKP's (crv, kty, x).
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/** The base64url SHA-256 thumbprint (RFC 7638 §3.1). Throws AuthError for a JWK it cannot name. */
export function computeJwkThumbprint(jwk: Record<string, unknown>): string {
  const kty = jwk['kty'];
  if (typeof kty !== 'string') throw new AuthError('auth.jwk_invalid');
  const members = Object.hasOwn(REQUIRED_MEMBERS, kty) ? REQUIRED_MEMBERS[kty] : undefined;
  if (members === undefined) throw new AuthError('auth.jwk_unsupported');
  // §3.2: the values are the JWK's own strings, unchanged; a missing one leaves no thumbprint.
  const canonical: Record<string, string> = {};
  for (const member of members) {
    const value = Object.hasOwn(jwk, member) ? jwk[member] : undefined;
    if (typeof value !== 'string') throw new AuthError('auth.jwk_invalid');
    canonical[member] = value;
  }
  // §3.3: no whitespace, and the UTF-8 bytes of that JSON are hashed. JSON.stringify keeps
  // insertion order, which is the sorted order above.
  return createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('base64url');
}
