// Where a verifier's keys come from. Two implementations: a fixed JWK Set (here) and the
// discovery + JWKS cache in src/remote/. The verifier sees only this interface.

import { importJwkSet, selectKey, type KeySet } from './jwks.js';
import type { VerificationKey } from './jwk.js';
import type { KeyResolver } from './verify-jws.js';

export interface KeySource {
  /** The key for a token's header (alg, kid); may fetch. Throws AuthError when there is none. */
  readonly resolveKey: KeyResolver;
  /** Resolves once keys are loaded; rejects with an AuthError when they cannot be. */
  ready(): Promise<void>;
  /** False once `key` has left the current set: nothing verified with it may be served any more. */
  isCurrent(key: VerificationKey): boolean;
}

/** A JWK Set given up front: fully offline, imported once. */
export function createStaticKeySource(jwks: unknown): KeySource & { readonly keySet: KeySet } {
  const keySet: KeySet = importJwkSet(jwks);
  return {
    keySet,
    resolveKey: (header) => selectKey(keySet, header.alg, header.kid),
    ready: () => Promise.resolve(),
    isCurrent: (key) => keySet.keys.includes(key),
  };
}
