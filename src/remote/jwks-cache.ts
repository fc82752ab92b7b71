// The remote key source: an issuer's JWK Set, found by discovery (or given as jwksUri),
// loaded and cached per verifier. What the cache promises:
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
import { importJwkSet, selectKey, type KeySet } from '../jwks.js';
import type { JwsHeader } from '../jws.js';
import type { KeySource } from '../key-source.js';
import { readRemoteKeyOptions, type RemoteKeySettings } from '../options.js';
import {
  describeState, EMPTY_STATE, fetchFailed, fetchRequested, fetchSucceeded, planKeySet, planKidLookup, trustedSet, usableSet,
  type CacheState,
} from './cache-policy.js';
import { discoverJwksUri, discoveryUrl } from './discovery.js';
import { safeListener, type FetchReason, type RemoteKeyListener } from './events.js';
import { fetchJson, type HttpStatusFailure } from './fetch-json.js';
import type { RemoteKeySourceOptions } from './options.js';

export type { FetchReason, RemoteKeyEvent, SuppressedReason } from './events.js';
export type { RemoteKeySourceOptions } from './options.js';

/** One verifier's cache: the state the policy reads, and the one fetch in flight. */
interface Cache {
  state: CacheState;
  /** The fetch in flight, while `state.inFlight` says one runs. */
  fetching: Promise<KeySet> | undefined;
  /** Found by discovery once, then kept. */
  jwksUrl: URL | undefined;
  readonly settings: RemoteKeySettings;
  readonly emit: RemoteKeyListener;
}

/** Keys from the issuer, cached. Throws TypeError at once for a bad option. */
export function createRemoteKeySource(options: RemoteKeySourceOptions): KeySource {
  const settings = readRemoteKeyOptions(options);
  const cache: Cache = { state: EMPTY_STATE, fetching: undefined, jwksUrl: settings.jwksUrl, settings, emit: safeListener(options.onEvent) };
  return {
    resolveKey: (header) => resolveKey(cache, header),
    ready: async () => { await currentKeySet(cache); },
    // True only while `key` is in a set we may keep trusting without a fetch (cache-policy.ts).
    isCurrent: (key) => trustedSet(cache.state, settings.now())?.keys.includes(key) ?? false,
    snapshot: () => describeState(cache.state, settings.now()),
  };
}

// ---- the request path ----------------------------------------------------------------------

async function resolveKey(cache: Cache, { alg, kid }: JwsHeader): Promise<VerificationKey> {
  try {
    return selectKey(await currentKeySet(cache), alg, kid);
  } catch (notFound) { // only an unknown kid is ours to handle: the issuer may have just rotated
    if (!(notFound instanceof AuthError && notFound.code === 'auth.jwks_key_not_found')) throw notFound;
    const plan = planKidLookup(cache.state, kid, cache.settings.now());
    if (plan.action === 'refuse') {
      cache.emit({ type: 'kid_refetch_suppressed', kid, reason: plan.reason, retryInMs: plan.retryInMs });
      throw notFound;
    }
    // The fetch's own failure went to onEvent; for this token the kid is simply unknown.
    return selectKey(await fetchOnce(cache, 'unknown_kid', kid).catch(() => { throw notFound; }), alg, kid);
  }
}

async function currentKeySet(cache: Cache): Promise<KeySet> {
  const plan = planKeySet(cache.state, cache.settings.now());
  if ('fail' in plan) throw retryLater(plan.fail, plan.retryInMs);
  if ('wait' in plan) return fetchOnce(cache, plan.wait, undefined);
  if (plan.refresh !== undefined) fetchOnce(cache, plan.refresh, undefined).catch(() => {}); // reported as fetch_failed
  return plan.use;
}

// ---- fetching --------------------------------------------------------------------------------

// Single flight: a caller while a fetch runs shares it, whatever it came for. Whether one
// runs is the state's to say (fetchAndKeep ends it in the same step as it keeps the keys).
function fetchOnce(cache: Cache, reason: FetchReason, kid: string | undefined): Promise<KeySet> {
  const running = cache.state.inFlight !== undefined;
  cache.state = fetchRequested(cache.state, reason, kid, cache.settings, cache.settings.now());
  if (!running || cache.fetching === undefined) cache.fetching = fetchAndKeep(cache, reason);
  return cache.fetching;
}

// Discovery (once), one bounded fetch of the set, then the state and the events. Every
// failure is the server side's problem (503): the cache keeps serving what it has.
async function fetchAndKeep(cache: Cache, reason: FetchReason): Promise<KeySet> {
  const { settings, emit } = cache;
  const previous = cache.state.cached?.keySet;
  let url = cache.jwksUrl ?? discoveryUrl(settings.issuer)!;
  let started = performance.now();
  try {
    if (cache.jwksUrl === undefined) {
      url = cache.jwksUrl = await discoverJwksUri(settings.issuer, settings.limits);
      emit({ type: 'discovery', url: discoveryUrl(settings.issuer)!.href, durationMs: performance.now() - started, jwksUri: url.href });
      started = performance.now();
    }
    const { keySet, maxAgeSeconds } = await loadKeySet(url, previous, cache);
    const { cached } = cache.state = fetchSucceeded(cache.state, keySet, maxAgeSeconds, settings, settings.now());
    const kids = keySet.keys.map((key) => key.kid);
    emit({ type: previous === undefined ? 'fetch' : 'refresh', url: url.href, durationMs: performance.now() - started, reason, kids, maxAgeMs: cached!.freshUntil - cached!.fetchedAt });
    return keySet;
  } catch (caught) {
    const error = caught instanceof AuthError && caught.status === 503 ? caught : new AuthError('auth.jwks_unavailable', { cause: caught });
    const { retryAfter } = error.cause instanceof Error ? error.cause as Partial<HttpStatusFailure> : {}; // a 429 or 503's Retry-After
    const state = cache.state = fetchFailed(cache.state, error, retryAfter, settings, settings.now());
    const { retryAt, failedAt } = state.backoff!;
    const servingStale = usableSet(state, settings.now()) !== undefined;
    emit({ type: 'fetch_failed', url: url.href, durationMs: performance.now() - started, reason, code: error.code, error, servingStale, retryInMs: retryAt - failedAt });
    throw retryLater(error, retryAt - failedAt);
  }
}

// RFC 9110 §10.2.3: a 503 tells the client when to come back; that is when we will next fetch.
function retryLater({ code, cause, detail }: AuthError, retryInMs: number): AuthError {
  return new AuthError(code, { cause, detail, retryAfter: Math.max(1, retryInMs / 1000) });
}

async function loadKeySet(url: URL, previous: KeySet | undefined, { settings, emit }: Cache): Promise<{ keySet: KeySet; maxAgeSeconds: number | undefined }> {
  const { document, maxAgeSeconds } = await fetchJson(url, settings.limits, 'auth.jwks_invalid');
  const keySet = keepUnchangedKeys(importJwkSet(document), previous);
  for (const { index, kid, code } of keySet.skipped) emit({ type: 'key_skipped', url: url.href, index, kid, code });
  // A set with no key we can use verifies nothing: the issuer's problem (503), and the
  // last good set stays in use (stale-if-error), as for any failed fetch.
  if (keySet.keys.length === 0) throw new AuthError('auth.jwks_no_usable_key');
  return { keySet, maxAgeSeconds };
}

// A refreshed set that still holds a key keeps that key's object, so isCurrent stays true
// for it and whatever was verified with it: only keys that changed or left become "old".
// Two keys are the same key when kid, public key (SPKI) and allowed algorithms all match;
// one map lookup per key, so a refresh costs linear time in the set's size.
export function keepUnchangedKeys(next: KeySet, previous: KeySet | undefined): KeySet {
  if (previous === undefined) return next;
  const identity = (key: VerificationKey) => JSON.stringify([key.kid ?? null, key.spkiDer.toString('base64'), [...key.algorithms].sort()]);
  const previousByIdentity = new Map(previous.keys.map((key) => [identity(key), key]));
  const keys = next.keys.map((key) => previousByIdentity.get(identity(key)) ?? key);
  return Object.freeze({ keys: Object.freeze(keys), skipped: next.skipped });
}
