// The remote key source: an issuer's JWK Set, found by discovery (or given as jwksUri),
// loaded by key-loader.ts and cached per verifier. What the cache promises:
// - keys are imported once per fetched set, never per request;
// - single flight: everything that needs a fetch at the same moment shares one;
// - a set is fresh for its max age (the server's, within [1 min, maxAgeMs]); in its last
//   tenth, and past it, requests use it at once while one background refresh runs
//   (refresh ahead; stale-while-revalidate, RFC 5861 §3), so a slow issuer never shows up
//   as latency for tokens whose key we hold;
// - an unknown kid refetches at once (the issuer may have just rotated), at most once per
//   cooldown, with at most MAX_KID_WAITERS requests waiting on it (cache-policy.ts);
// - stale-if-error (RFC 5861 §4): when a refresh fails, the last good set is served for up
//   to maxStaleMs past its freshness, and retries back off (1 s doubling, at most
//   max(cooldownMs, 1 s), longer when the server sends Retry-After);
// - a clock that steps back never stretches any of these intervals.
// The decisions are cache-policy.ts; this file holds the state and does what they say.
// It never changes which key a token may use: that is selectKey's rule (src/jwks.ts).

import { AuthError } from '../errors.js';
import type { VerificationKey } from '../jwk.js';
import { selectKey, type KeySet } from '../jwks.js';
import type { JwsHeader } from '../jws.js';
import type { KeySource } from '../key-source.js';
import {
  describeState, EMPTY_STATE, fetchFailed, fetchStarted, fetchSucceeded, kidWaiterJoined,
  planKeySet, planKidLookup, trustedSet, usableSet, type CacheState,
} from './cache-policy.js';
import { safeListener, type FetchReason } from './events.js';
import { createKeyLoader } from './key-loader.js';
import { readRemoteKeyOptions, type RemoteKeySourceOptions } from './options.js';

export type { FetchReason, RemoteKeyEvent, SuppressedReason } from './events.js';
export type { RemoteKeySourceOptions } from './options.js';

/** Keys from the issuer, cached. Throws TypeError at once for a bad option. */
export function createRemoteKeySource(options: RemoteKeySourceOptions): KeySource {
  const settings = readRemoteKeyOptions(options);
  const { now } = settings;
  const emit = safeListener(options.onEvent);
  const load = createKeyLoader(settings, emit);
  let state: CacheState = EMPTY_STATE;
  let inFlight: Promise<KeySet> | undefined;

  async function resolveKey(header: JwsHeader): Promise<VerificationKey> {
    const keySet = await currentKeySet();
    try {
      return selectKey(keySet, header.alg, header.kid);
    } catch (error) {
      if (!(error instanceof AuthError && error.code === 'auth.jwks_key_not_found')) throw error;
      return selectKey(await lookUpKid(header.kid, error), header.alg, header.kid);
    }
  }

  async function currentKeySet(): Promise<KeySet> {
    const plan = planKeySet(state, now());
    if ('fail' in plan) throw plan.fail;
    if ('wait' in plan) return fetchOnce(plan.wait, undefined);
    if (plan.refresh !== undefined) fetchOnce(plan.refresh, undefined).catch(() => {}); // reported by fetch_failed
    return plan.use;
  }

  async function lookUpKid(kid: string | undefined, notFound: AuthError): Promise<KeySet> {
    const plan = planKidLookup(state, kid, now());
    if (plan.action === 'refuse') {
      emit({ type: 'kid_refetch_suppressed', kid, reason: plan.reason, retryInMs: plan.retryInMs });
      throw notFound;
    }
    if (plan.action === 'join') state = kidWaiterJoined(state);
    // The fetch's own failure went to onEvent; for this token the kid is simply unknown.
    return fetchOnce('unknown_kid', kid).catch(() => { throw notFound; });
  }

  // Single flight: a caller while a fetch runs shares it, whatever it came for. Whether one
  // runs is the state's to say (fetchAndKeep changes it in the same step as the keys).
  function fetchOnce(reason: FetchReason, kid: string | undefined): Promise<KeySet> {
    if (state.inFlight === undefined || inFlight === undefined) inFlight = fetchAndKeep(reason, kid);
    return inFlight;
  }

  async function fetchAndKeep(reason: FetchReason, kid: string | undefined): Promise<KeySet> {
    state = fetchStarted(state, reason, kid, settings, now());
    const previous = state.cached?.keySet;
    const result = await load(previous);
    const { url, durationMs } = result;
    if (!result.ok) {
      state = fetchFailed(state, result.error, result.retryAfter, settings, now());
      const { error } = result;
      const retryInMs = state.backoff!.retryAt - state.backoff!.failedAt;
      emit({ type: 'fetch_failed', url, durationMs, reason, code: error.code, error, servingStale: usableSet(state, now()) !== undefined, retryInMs });
      throw error;
    }
    state = fetchSucceeded(state, result.keySet, result.maxAgeSeconds, settings, now());
    const { keySet } = result;
    const maxAgeMs = state.cached!.freshUntil - state.cached!.fetchedAt;
    emit({ type: previous === undefined ? 'fetch' : 'refresh', url, durationMs, reason, kids: keySet.keys.map((key) => key.kid), maxAgeMs });
    return keySet;
  }

  return {
    resolveKey,
    ready: async () => { await currentKeySet(); },
    // True only while `key` is in a set we may keep trusting without a fetch (cache-policy.ts).
    isCurrent: (key) => trustedSet(state, now())?.keys.includes(key) ?? false,
    snapshot: () => describeState(state, now()),
  };
}
