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
  planKeySet, planKidLookup, trustedSet, usableSet, type CacheRules, type CacheState,
} from './cache-policy.js';
import { safeListener, type FetchReason, type RemoteKeyListener } from './events.js';
import { createKeyLoader, type KeyLoader } from './key-loader.js';
import { readRemoteKeyOptions } from '../options.js';
import type { RemoteKeySourceOptions } from './options.js';

export type { FetchReason, RemoteKeyEvent, SuppressedReason } from './events.js';
export type { RemoteKeySourceOptions } from './options.js';

/** One verifier's cache: the state the policy reads, and the one fetch in flight. */
interface Cache {
  state: CacheState;
  inFlight: Promise<KeySet> | undefined;
  readonly rules: CacheRules;
  readonly now: () => number;
  readonly emit: RemoteKeyListener;
  readonly load: KeyLoader;
}

/** Keys from the issuer, cached. Throws TypeError at once for a bad option. */
export function createRemoteKeySource(options: RemoteKeySourceOptions): KeySource {
  const settings = readRemoteKeyOptions(options);
  const emit = safeListener(options.onEvent);
  const cache: Cache = {
    state: EMPTY_STATE, inFlight: undefined, rules: settings, now: settings.now, emit, load: createKeyLoader(settings, emit),
  };
  return {
    resolveKey: (header) => resolveKey(cache, header),
    ready: async () => { await currentKeySet(cache); },
    // True only while `key` is in a set we may keep trusting without a fetch (cache-policy.ts).
    isCurrent: (key) => trustedSet(cache.state, cache.now())?.keys.includes(key) ?? false,
    snapshot: () => describeState(cache.state, cache.now()),
  };
}

// ---- the request path ----------------------------------------------------------------------

async function resolveKey(cache: Cache, header: JwsHeader): Promise<VerificationKey> {
  const keySet = await currentKeySet(cache);
  try {
    return selectKey(keySet, header.alg, header.kid);
  } catch (error) {
    if (!(error instanceof AuthError && error.code === 'auth.jwks_key_not_found')) throw error;
    return selectKey(await lookUpKid(cache, header.kid, error), header.alg, header.kid);
  }
}

async function currentKeySet(cache: Cache): Promise<KeySet> {
  const plan = planKeySet(cache.state, cache.now());
  if ('fail' in plan) throw plan.fail;
  if ('wait' in plan) return fetchOnce(cache, plan.wait, undefined);
  if (plan.refresh !== undefined) fetchOnce(cache, plan.refresh, undefined).catch(() => {}); // reported as fetch_failed
  return plan.use;
}

async function lookUpKid(cache: Cache, kid: string | undefined, notFound: AuthError): Promise<KeySet> {
  const plan = planKidLookup(cache.state, kid, cache.now());
  if (plan.action === 'refuse') {
    cache.emit({ type: 'kid_refetch_suppressed', kid, reason: plan.reason, retryInMs: plan.retryInMs });
    throw notFound;
  }
  if (plan.action === 'join') cache.state = kidWaiterJoined(cache.state);
  // The fetch's own failure went to onEvent; for this token the kid is simply unknown.
  return fetchOnce(cache, 'unknown_kid', kid).catch(() => { throw notFound; });
}

// ---- fetching --------------------------------------------------------------------------------

// Single flight: a caller while a fetch runs shares it, whatever it came for. Whether one
// runs is the state's to say (fetchAndKeep changes it in the same step as the keys).
function fetchOnce(cache: Cache, reason: FetchReason, kid: string | undefined): Promise<KeySet> {
  if (cache.state.inFlight === undefined || cache.inFlight === undefined) cache.inFlight = fetchAndKeep(cache, reason, kid);
  return cache.inFlight;
}

async function fetchAndKeep(cache: Cache, reason: FetchReason, kid: string | undefined): Promise<KeySet> {
  const { rules, now, emit } = cache;
  cache.state = fetchStarted(cache.state, reason, kid, rules, now());
  const previous = cache.state.cached?.keySet;
  const result = await cache.load(previous);
  const { url, durationMs } = result;
  if (!result.ok) {
    const { error } = result;
    const state = cache.state = fetchFailed(cache.state, error, result.retryAfter, rules, now());
    const retryInMs = state.backoff!.retryAt - state.backoff!.failedAt;
    emit({ type: 'fetch_failed', url, durationMs, reason, code: error.code, error, servingStale: usableSet(state, now()) !== undefined, retryInMs });
    throw error;
  }
  const state = cache.state = fetchSucceeded(cache.state, result.keySet, result.maxAgeSeconds, rules, now());
  const maxAgeMs = state.cached!.freshUntil - state.cached!.fetchedAt;
  emit({ type: previous === undefined ? 'fetch' : 'refresh', url, durationMs, reason, kids: result.keySet.keys.map((key) => key.kid), maxAgeMs });
  return result.keySet;
}
