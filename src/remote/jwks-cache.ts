// The remote key source: an issuer's JWK Set, found by discovery (or given as jwksUri),
// fetched with fetch-json.ts and cached per verifier. What the cache promises:
// - keys are imported once per fetched set, never per request;
// - a set is fresh for its max age; then the next request waits for one refresh;
// - single flight: everything that needs a fetch at the same moment shares one;
// - an unknown kid refetches at once (the issuer may have just rotated), at most once per
//   cooldown, so made-up kids cannot turn us into a traffic amplifier;
// - stale-if-error (RFC 5861 §4): when a refresh fails, the last good set is served for up
//   to maxStaleMs past its freshness, and retries back off (1 s doubling, at most
//   max(cooldownMs, 1 s));
// - a clock that steps back never stretches any of these intervals (see `within`).
// It never changes which key a token may use: that is selectKey's rule (src/jwks.ts).

import { AuthError, toAuthError } from '../errors.js';
import type { VerificationKey } from '../jwk.js';
import { importJwkSet, selectKey, type KeySet } from '../jwks.js';
import type { JwsHeader } from '../jws.js';
import type { KeySource } from '../key-source.js';
import { discoverJwksUri, discoveryUrl } from './discovery.js';
import { fetchJson } from './fetch-json.js';
import { readRemoteKeyOptions } from '../options.js';
import {
  FIRST_RETRY_MS, MIN_MAX_AGE_MS,
  type FetchReason, type RemoteKeyEvent, type RemoteKeySourceOptions,
} from './options.js';

export type { FetchReason, RemoteKeyEvent, RemoteKeySourceOptions } from './options.js';

interface LoadedSet {
  readonly keySet: KeySet;
  readonly fetchedAt: number;
  readonly freshUntil: number;
}

interface Backoff {
  /** Consecutive failed fetches: the wait doubles with each. */
  readonly failures: number;
  /** When the last fetch failed: the start of the wait. */
  readonly failedAt: number;
  /** No fetch from failedAt until this, except by joining one in flight. */
  readonly retryAt: number;
  /** What the last fetch failed with: the answer while there are no keys to serve. */
  readonly error: AuthError;
}

// Whether time `at` is in [start, end). Every interval here is measured on `now()`, the wall
// clock by default, which can step back (an NTP correction, a VM resumed from a snapshot).
// A time before an interval's start means the clock stepped back: the interval counts as
// over, so a step back can only cause one fetch early, never freeze the cache until the
// clock catches up (a set kept fresh, a removed key still trusted, new kids refused).
const within = (at: number, start: number, end: number): boolean => start <= at && at < end;

/** Keys from the issuer, cached. Throws TypeError at once for a bad option. */
export function createRemoteKeySource(options: RemoteKeySourceOptions): KeySource {
  const settings = readRemoteKeyOptions(options);
  const { limits, maxAgeMs, cooldownMs, maxStaleMs, now } = settings;
  let jwksUrl = settings.jwksUrl;
  let loaded: LoadedSet | undefined;
  let inFlight: Promise<KeySet> | undefined;
  let backoff: Backoff | undefined; // set by a failed fetch, cleared by a good one
  let kidRefetchAt = -Infinity; // when the last unknown-kid refetch started

  const emit = (event: RemoteKeyEvent): void => {
    try {
      const result: unknown = options.onEvent?.(event);
      // Any thenable, not only this realm's Promise: a rejection must never go unhandled.
      const thenable = (result !== null && typeof result === 'object') || typeof result === 'function';
      if (thenable && typeof (result as { then?: unknown }).then === 'function') Promise.resolve(result).catch(() => {});
    } catch {
      // Observability must never decide whether a token verifies.
    }
  };

  const fresh = (at: number): boolean => loaded !== undefined && within(at, loaded.fetchedAt, loaded.freshUntil);
  const backingOff = (at: number): boolean => backoff !== undefined && within(at, backoff.failedAt, backoff.retryAt);
  // RFC 5861 §4 stale-if-error: the last good set, while within maxStale past its freshness.
  const staleSet = (at: number): KeySet | undefined =>
    (loaded !== undefined && at < loaded.freshUntil + maxStaleMs ? loaded.keySet : undefined);

  // The set to choose from: the loaded one while fresh; else a refresh, falling back to
  // the loaded one within maxStale when it fails or while retries are backing off.
  async function currentKeySet(): Promise<KeySet> {
    const at = now();
    if (loaded !== undefined && fresh(at)) return loaded.keySet;
    if (backoff !== undefined && backingOff(at) && inFlight === undefined) {
      const stale = staleSet(at);
      if (stale === undefined) throw backoff.error;
      return stale;
    }
    try {
      return await refresh(loaded === undefined ? 'initial' : 'expired');
    } catch (error) {
      const stale = staleSet(now());
      if (stale === undefined) throw error;
      return stale;
    }
  }

  function refresh(reason: FetchReason): Promise<KeySet> {
    inFlight ??= load(reason).finally(() => { inFlight = undefined; });
    return inFlight;
  }

  async function load(reason: FetchReason): Promise<KeySet> {
    let url = jwksUrl ?? discoveryUrl(settings.issuer)!;
    let started = performance.now();
    try {
      if (jwksUrl === undefined) {
        jwksUrl = await discoverJwksUri(settings.issuer, limits);
        emit({ type: 'discovery', url: url.href, durationMs: performance.now() - started, jwksUri: jwksUrl.href });
        url = jwksUrl;
        started = performance.now();
      }
      const { document, maxAgeSeconds } = await fetchJson(url, limits, 'auth.jwks_invalid');
      const durationMs = performance.now() - started;
      const keySet = keepUnchangedKeys(importJwkSet(document), loaded?.keySet);
      const type = loaded === undefined ? 'fetch' : 'refresh';
      const freshFor = freshness(maxAgeSeconds);
      const fetchedAt = now();
      loaded = { keySet, fetchedAt, freshUntil: fetchedAt + freshFor };
      backoff = undefined;
      emit({ type, url: url.href, durationMs, reason, kids: keySet.keys.map((key) => key.kid), maxAgeMs: freshFor });
      for (const { index, kid, code } of keySet.skipped) emit({ type: 'key_skipped', url: url.href, index, kid, code });
      return keySet;
    } catch (error) {
      const failure = toFetchError(error);
      const failures = (backoff?.failures ?? 0) + 1;
      const retryInMs = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), Math.max(cooldownMs, FIRST_RETRY_MS));
      const failedAt = now();
      backoff = { failures, failedAt, retryAt: failedAt + retryInMs, error: failure };
      emit({
        type: 'fetch_failed', url: url.href, durationMs: performance.now() - started, reason,
        code: failure.code, error: failure, servingStale: staleSet(now()) !== undefined, retryInMs,
      });
      throw failure;
    }
  }

  // RFC 9111 §5.2.2.1: the server's max-age is honoured, but raised to MIN_MAX_AGE_MS (a
  // server saying 0 must not make us fetch per request) and capped at maxAgeMs (the
  // operator's bound on how long a key the issuer has removed is still trusted).
  function freshness(maxAgeSeconds: number | undefined): number {
    if (maxAgeSeconds === undefined) return maxAgeMs;
    return Math.min(Math.max(maxAgeSeconds * 1000, MIN_MAX_AGE_MS), maxAgeMs);
  }

  // A kid we do not know may be a key the issuer has just rotated in, so fetch again at
  // once, even right after a load. But at most once per cooldown (and not while retries back
  // off), so a flood of made-up kids, concurrent or one at a time, costs the issuer at most
  // one extra request. Callers arriving while a fetch is in flight share it.
  async function refetchForUnknownKid(notFound: AuthError): Promise<KeySet> {
    if (inFlight === undefined) {
      const at = now();
      if (within(at, kidRefetchAt, kidRefetchAt + cooldownMs) || backingOff(at)) throw notFound;
      kidRefetchAt = at;
    }
    try {
      return await refresh('unknown_kid');
    } catch {
      throw notFound; // the failure itself went to onEvent; for this token the kid is unknown
    }
  }

  async function resolveKey(header: JwsHeader): Promise<VerificationKey> {
    const keySet = await currentKeySet();
    try {
      return selectKey(keySet, header.alg, header.kid);
    } catch (error) {
      if (!(error instanceof AuthError && error.code === 'auth.jwks_key_not_found')) throw error;
      return selectKey(await refetchForUnknownKid(error), header.alg, header.kid);
    }
  }

  return {
    resolveKey,
    ready: async () => { await currentKeySet(); },
    // True only while `key` is in the set resolveKey would use right now without fetching,
    // so a cache of verified tokens (which never calls resolveKey) still lets sets expire.
    isCurrent: (key) => {
      const at = now();
      const keySet = fresh(at) ? loaded?.keySet : backingOff(at) ? staleSet(at) : undefined;
      return keySet !== undefined && keySet.keys.includes(key);
    },
  };
}

// A refreshed set that still holds a key keeps that key's object, so isCurrent stays true
// for it and whatever was verified with it: only keys that changed or left become "old".
// One map lookup per key, so a refresh costs linear time in the set's size.
function keepUnchangedKeys(next: KeySet, previous: KeySet | undefined): KeySet {
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
