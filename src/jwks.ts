// A JWK Set (RFC 7517 §5) → the keys we can use, and the choice of one key for a token.

import type { JwsAlgorithm } from './algorithms.js';
import { AuthError, type AuthErrorCode, type AuthErrorDetail } from './errors.js';
import { importJwk, type VerificationKey } from './jwk.js';
import { isPlainObject, jsonType, own } from './json.js';

export interface SkippedKey {
  /** Position in the set's `keys` array. */
  readonly index: number;
  readonly kid: string | undefined;
  readonly code: AuthErrorCode;
}

export interface KeySet {
  readonly keys: readonly VerificationKey[];
  /** Keys that could not be used, and why; they are left out, not fatal (RFC 7517 §5). */
  readonly skipped: readonly SkippedKey[];
}

/**
 * The most JWKs a set may hold. Real issuers publish a handful (current, next, previous);
 * the cap bounds the CPU a hostile or broken set can cost on each refresh (importing 3,000 EC
 * keys blocks the event loop for ~0.4 s, and fit well under the response-size cap).
 */
export const MAX_JWKS_KEYS = 100;

// RFC 7517 §5: "Implementations SHOULD ignore JWKs within a JWK Set that use kty values
// that are not understood by them, that are missing required members, or for which values
// are out of the supported ranges." A set that is not `{ "keys": [...] }`, or holds more than
// MAX_JWKS_KEYS, is unusable as a whole: refused before any key is imported.
export function importJwkSet(document: unknown): KeySet {
  const members = isPlainObject(document) ? own(document, 'keys') : undefined;
  if (!Array.isArray(members) || members.length > MAX_JWKS_KEYS) {
    const found = Array.isArray(members) ? `${members.length} keys` : `keys: ${jsonType(members)}`;
    throw new AuthError('auth.jwks_invalid', { detail: { check: 'jwks', expected: `{ "keys": [...] } with at most ${MAX_JWKS_KEYS} keys`, found } });
  }
  const keys: VerificationKey[] = [];
  const skipped: SkippedKey[] = [];
  members.forEach((jwk: unknown, index: number) => {
    try {
      keys.push(importJwk(jwk));
    } catch (error) {
      const kid = isPlainObject(jwk) ? own(jwk, 'kid') : undefined;
      skipped.push({ index, kid: typeof kid === 'string' ? kid : undefined, code: error instanceof AuthError ? error.code : 'auth.jwk_invalid' });
    }
  });
  return Object.freeze({ keys: Object.freeze(keys), skipped: Object.freeze(skipped) });
}

// RFC 7515 §4.1.4: `kid` is a hint for choosing the key. With a kid, only keys of that kid
// are candidates; without one, the token may use a key only when exactly one key in the
// set can verify its algorithm. Two candidates are ambiguous, and ambiguity is refused.
export function selectKey(keySet: KeySet, alg: JwsAlgorithm, kid: string | undefined): VerificationKey {
  let chosen: VerificationKey | undefined;
  let usableCount = 0;
  let kidSeen = false;
  for (const key of keySet.keys) {
    if (kid !== undefined && key.kid !== kid) continue;
    kidSeen = true;
    if (!key.algorithms.has(alg)) continue;
    chosen = key;
    usableCount++;
  }
  if (usableCount === 1) return chosen!;
  if (kid !== undefined && kidSeen && usableCount === 0) throw keyError('auth.jwk_alg_mismatch', 'key_does_not_allow_alg', keySet, alg, kid);
  const reason = usableCount > 1 ? 'several_keys' : kid === undefined ? 'no_key_for_alg' : 'kid_unknown';
  throw keyError('auth.jwks_key_not_found', reason, keySet, alg, kid);
}

type KeyFailure = Extract<AuthErrorDetail, { check: 'key' }>['reason'];

// Key ids are public (the issuer publishes them), so the detail lists the ones we hold.
const keyError = (code: AuthErrorCode, reason: KeyFailure, keySet: KeySet, alg: JwsAlgorithm, kid: string | undefined): AuthError =>
  new AuthError(code, { detail: { check: 'key', reason, kid, alg, knownKids: keySet.keys.map((key) => key.kid) } });
