// Where a verifier's keys come from. Two implementations: a fixed JWK Set (here) and the
// discovery + JWKS cache in src/remote/. The verifier sees only this interface.

import type { AuthErrorCode } from './errors.js';
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
  /** The keys' state now, as plain JSON for a health endpoint; reading it changes nothing. */
  snapshot(): KeySourceSnapshot;
}

/** Times are ms since the epoch on the verifier's clock (`now`); null where there is none. */
export interface KeySourceSnapshot {
  readonly source: 'static' | 'remote';
  /**
   * 'empty': no keys to verify with (tokens get 503); 'fresh': within max age; 'stale': past
   * it, served while a refresh runs (or is due); 'backing_off': the last fetch failed and
   * retries wait (keys, if any, are the last good set).
   */
  readonly state: 'empty' | 'fresh' | 'stale' | 'backing_off';
  /** The kids of the keys in use (null for a key without kid). */
  readonly kids: readonly (string | null)[];
  readonly fetchedAt: number | null;
  /** From then on, the next request refreshes the set in the background. */
  readonly refreshAt: number | null;
  readonly freshUntil: number | null;
  /** The last good set is served until then while fetches fail. */
  readonly staleUntil: number | null;
  /** A fetch is in flight. */
  readonly refreshing: boolean;
  /** Failed fetches in a row, and the code of the last one. */
  readonly failures: number;
  readonly lastError: AuthErrorCode | null;
  /** No fetch before then (retry back-off). */
  readonly retryAt: number | null;
  /** Until then, an unknown kid causes no fetch (cooldown). */
  readonly kidCooldownUntil: number | null;
}

/** The rest of a static set's snapshot: it is never fetched, so it has no fetch state. */
const NEVER_FETCHED = Object.freeze({
  fetchedAt: null, refreshAt: null, freshUntil: null, staleUntil: null,
  refreshing: false, failures: 0, lastError: null, retryAt: null, kidCooldownUntil: null,
});

/** A JWK Set given up front: fully offline, imported once. */
export function createStaticKeySource(jwks: unknown): KeySource & { readonly keySet: KeySet } {
  const keySet: KeySet = importJwkSet(jwks);
  return {
    keySet,
    resolveKey: (header) => selectKey(keySet, header.alg, header.kid),
    ready: () => Promise.resolve(),
    isCurrent: (key) => keySet.keys.includes(key),
    snapshot: () => ({ source: 'static', state: keySet.keys.length === 0 ? 'empty' : 'fresh', kids: keySet.keys.map((key) => key.kid ?? null), ...NEVER_FETCHED }),
  };
}
