// Loading a key set: discovery (once), one bounded fetch, import, and keeping the objects of
// unchanged keys. It decides nothing about when to load: that is cache-policy.ts. It never
// rejects: every failure comes back as a value with its AuthError (503 codes only).

import { AuthError, toAuthError } from '../errors.js';
import type { VerificationKey } from '../jwk.js';
import { importJwkSet, type KeySet } from '../jwks.js';
import { discoverJwksUri, discoveryUrl } from './discovery.js';
import type { RemoteKeyListener } from './events.js';
import { fetchJson, retryAfterOf, type FetchLimits, type RetryAfter } from './fetch-json.js';

export interface LoaderSettings {
  readonly issuer: string;
  readonly jwksUrl: URL | undefined;
  readonly limits: FetchLimits;
}

export type LoadResult = { readonly url: string; readonly durationMs: number } & (
  | { readonly ok: true; readonly keySet: KeySet; readonly maxAgeSeconds: number | undefined }
  | { readonly ok: false; readonly error: AuthError; readonly retryAfter: RetryAfter | undefined }
);

/** The issuer's current set, sharing key objects with `previous`. */
export type KeyLoader = (previous: KeySet | undefined) => Promise<LoadResult>;

export function createKeyLoader(settings: LoaderSettings, emit: RemoteKeyListener): KeyLoader {
  const { issuer, limits } = settings;
  let jwksUrl = settings.jwksUrl; // found by discovery once, then kept

  async function discover(): Promise<URL> {
    const started = performance.now();
    const found = await discoverJwksUri(issuer, limits);
    emit({ type: 'discovery', url: discoveryUrl(issuer)!.href, durationMs: performance.now() - started, jwksUri: found.href });
    return found;
  }

  return async (previous) => {
    let url = jwksUrl ?? discoveryUrl(issuer)!;
    let started = performance.now();
    try {
      if (jwksUrl === undefined) {
        url = jwksUrl = await discover();
        started = performance.now();
      }
      const { document, maxAgeSeconds } = await fetchJson(url, limits, 'auth.jwks_invalid');
      const keySet = keepUnchangedKeys(importJwkSet(document), previous);
      for (const { index, kid, code } of keySet.skipped) emit({ type: 'key_skipped', url: url.href, index, kid, code });
      // A set with no key we can use verifies nothing: the issuer's problem (503), and the
      // last good set stays in use (stale-if-error), as for any failed fetch.
      if (keySet.keys.length === 0) throw new AuthError('auth.jwks_no_usable_key');
      return { ok: true, url: url.href, durationMs: performance.now() - started, keySet, maxAgeSeconds };
    } catch (caught) {
      const error = toFetchError(caught);
      return { ok: false, url: url.href, durationMs: performance.now() - started, error, retryAfter: retryAfterOf(error) };
    }
  };
}

// A refreshed set that still holds a key keeps that key's object, so isCurrent stays true
// for it and whatever was verified with it: only keys that changed or left become "old".
// One map lookup per key, so a refresh costs linear time in the set's size.
export function keepUnchangedKeys(next: KeySet, previous: KeySet | undefined): KeySet {
  if (previous === undefined) return next;
  const previousByIdentity = new Map(previous.keys.map((key) => [keyIdentity(key), key]));
  const keys = next.keys.map((key) => previousByIdentity.get(keyIdentity(key)) ?? key);
  return Object.freeze({ keys: Object.freeze(keys), skipped: next.skipped });
}

// Two keys are the same key when kid, public key (SPKI) and allowed algorithms all match.
function keyIdentity(key: VerificationKey): string {
  return JSON.stringify([key.kid ?? null, key.spkiDer.toString('base64'), [...key.algorithms].sort()]);
}

// Everything that goes wrong while fetching keys is the server side's problem (503).
function toFetchError(error: unknown): AuthError {
  const authError = toAuthError(error);
  return authError.status === 503 ? authError : new AuthError('auth.jwks_unavailable', { cause: error });
}
