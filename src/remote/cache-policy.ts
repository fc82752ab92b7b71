// The remote key cache's decisions, as pure functions of its state and the time. Nothing
// here fetches, waits or keeps state: the cache (jwks-cache.ts) holds one CacheState, asks
// these functions what to do, and replaces the state with what the transitions return.
// test/remote-cache-policy.test.ts checks them as tables, with no server and no clock.
//
// Every interval is measured on `now()`, the wall clock by default, which can step back (an
// NTP correction, a VM resumed from a snapshot). A time before an interval's start means the
// clock stepped back: the interval counts as over (see `within`), so a step back can only
// cause one fetch early, never freeze the cache until the clock catches up (a set kept
// fresh, a removed key still trusted, new kids refused).

import type { AuthError } from '../errors.js';
import type { KeySet } from '../jwks.js';
import type { KeySourceSnapshot } from '../key-source.js';
import type { FetchReason, SuppressedReason } from './events.js';
import type { RetryAfter } from './fetch-json.js';

/** A server's `Cache-Control: max-age` below this is raised to it (unless maxAgeMs is lower). */
export const MIN_MAX_AGE_MS = 60_000;
/** The first retry after a failed fetch; each further failure doubles it, up to max(cooldownMs, 1 s). */
export const FIRST_RETRY_MS = 1_000;
/** In the last tenth of its freshness, a request starts a background refresh (refresh ahead). */
export const REFRESH_AHEAD_SHARE = 0.1;
/**
 * Most requests that may wait on one fetch for unknown kids; beyond it they are refused at
 * once. Each waiter holds ≈ 2.5 KiB, so 256 hold under 1 MiB; a real rotation rarely brings
 * that many tokens with the new kid within one fetch (≤ timeoutMs).
 */
export const MAX_KID_WAITERS = 256;

/** The options the decisions depend on (readRemoteKeyOptions checked them). */
export interface CacheRules {
  readonly maxAgeMs: number;
  readonly cooldownMs: number;
  readonly maxStaleMs: number;
}

export interface CachedSet {
  readonly keySet: KeySet;
  readonly fetchedAt: number;
  /** From here on, a request starts a background refresh (refresh ahead). */
  readonly refreshAt: number;
  readonly freshUntil: number;
  /** RFC 5861 §3 and §4: served stale, while revalidating or while fetches fail, until here. */
  readonly staleUntil: number;
  /** Kids the fetch of this set removed: asking the issuer again for them is pointless. */
  readonly removedKids: ReadonlySet<string>;
}

export interface Backoff {
  /** Consecutive failed fetches: the wait doubles with each. */
  readonly failures: number;
  /** When the last fetch failed: the start of the wait. */
  readonly failedAt: number;
  /** No fetch from failedAt until this, except by joining one in flight. */
  readonly retryAt: number;
  /** What the last fetch failed with: the answer while there are no keys to serve. */
  readonly error: AuthError;
}

/** The last fetch an unknown kid caused. */
export interface KidLookup {
  readonly kid: string | undefined;
  readonly startedAt: number;
  /** No other unknown kid causes a fetch before this. */
  readonly cooldownUntil: number;
  /** The answer lacked `kid`: it may look once more from here. Undefined: no second try. */
  readonly retryAt: number | undefined;
  /** This lookup is itself the second try, which earns no third. */
  readonly isRetry: boolean;
}

export interface InFlight {
  readonly reason: FetchReason;
  /** Requests with an unknown kid waiting on this fetch. */
  readonly kidWaiters: number;
}

export interface CacheState {
  readonly cached: CachedSet | undefined;
  /** Set by a failed fetch, cleared by a good one. */
  readonly backoff: Backoff | undefined;
  readonly kidLookup: KidLookup | undefined;
  readonly inFlight: InFlight | undefined;
}

export const EMPTY_STATE: CacheState = Object.freeze({ cached: undefined, backoff: undefined, kidLookup: undefined, inFlight: undefined });

/** Whether time `at` is in [start, end); before `start` the clock stepped back: over. */
const within = (at: number, start: number, end: number): boolean => start <= at && at < end;

export const isFresh = ({ cached }: CacheState, now: number): boolean =>
  cached !== undefined && within(now, cached.fetchedAt, cached.freshUntil);

export const isBackingOff = ({ backoff }: CacheState, now: number): boolean =>
  backoff !== undefined && within(now, backoff.failedAt, backoff.retryAt);

/** The set a request may use without waiting: fresh, or stale within maxStale (RFC 5861). */
export const usableSet = ({ cached }: CacheState, now: number): KeySet | undefined =>
  (cached !== undefined && now < cached.staleUntil ? cached.keySet : undefined);

export type KeySetPlan =
  | { readonly use: KeySet; readonly refresh: FetchReason | undefined }
  | { readonly wait: FetchReason }
  | { readonly fail: AuthError; readonly retryInMs: number };

/**
 * What a request does for its key set: use the cached one at once, starting a background
 * refresh when due (stale-while-revalidate, RFC 5861 §3, and refresh ahead) unless one runs
 * or retries back off; with none usable, wait for a fetch (joining one in flight); or, while
 * retries back off, fail.
 */
export function planKeySet(state: CacheState, now: number): KeySetPlan {
  const { cached, backoff, inFlight } = state;
  if (cached !== undefined && now < cached.staleUntil) {
    if (inFlight !== undefined || isBackingOff(state, now)) return { use: cached.keySet, refresh: undefined };
    return { use: cached.keySet, refresh: !isFresh(state, now) ? 'expired' : now >= cached.refreshAt ? 'expiring' : undefined };
  }
  if (backoff !== undefined && inFlight === undefined && isBackingOff(state, now)) return { fail: backoff.error, retryInMs: backoff.retryAt - now };
  return { wait: cached === undefined ? 'initial' : 'expired' };
}

export type KidLookupPlan =
  | { readonly action: 'fetch' | 'join' }
  | { readonly action: 'refuse'; readonly reason: SuppressedReason; readonly retryInMs: number };

const FETCH: KidLookupPlan = { action: 'fetch' };
const JOIN: KidLookupPlan = { action: 'join' };
const refuse = (reason: SuppressedReason, retryInMs: number): KidLookupPlan =>
  ({ action: 'refuse', reason, retryInMs: Math.max(0, retryInMs) });

/**
 * A token names a kid the set lacks; the issuer may have just rotated it in. Fetch at once,
 * unless: the last fetch removed that very kid; a fetch runs (join it, up to MAX_KID_WAITERS);
 * retries back off after a failure; or an earlier lookup was answered within the cooldown —
 * then only its own kid, missing from the answer, may look once more after FIRST_RETRY_MS
 * (an issuer can sign with a key a moment before it publishes it). So made-up kids cost the
 * issuer at most one request per cooldown (two if all use the same kid).
 */
export function planKidLookup(state: CacheState, kid: string | undefined, now: number): KidLookupPlan {
  const { cached, inFlight, backoff, kidLookup } = state;
  if (kid !== undefined && cached !== undefined && cached.removedKids.has(kid)) return refuse('removed', cached.refreshAt - now);
  if (inFlight !== undefined) return inFlight.kidWaiters < MAX_KID_WAITERS ? JOIN : refuse('waiters', 0);
  if (backoff !== undefined && isBackingOff(state, now)) return refuse('backoff', backoff.retryAt - now);
  if (kidLookup === undefined || !within(now, kidLookup.startedAt, kidLookup.cooldownUntil)) return FETCH;
  if (kid === kidLookup.kid && kidLookup.retryAt !== undefined) {
    return now >= kidLookup.retryAt ? FETCH : refuse('cooldown', kidLookup.retryAt - now);
  }
  return refuse('cooldown', kidLookup.cooldownUntil - now);
}

/**
 * The set a cache of verified tokens may keep trusting (KeySource.isCurrent): fresh, or
 * stale while retries back off. Past max age otherwise, it is not, so the token is verified
 * afresh, which starts the refresh; a cache that never calls resolveKey still lets sets expire.
 */
export const trustedSet = (state: CacheState, now: number): KeySet | undefined =>
  (isFresh(state, now) || isBackingOff(state, now) ? usableSet(state, now) : undefined);

/**
 * The wait after the `failures`-th failure in a row: 1 s doubling, at most max(cooldownMs, 1 s).
 * A server's Retry-After (RFC 9110 §10.2.3) may lengthen it within that bound, never shorten it.
 */
export function retryDelay(failures: number, retryAfter: RetryAfter | undefined, rules: CacheRules, now: number): number {
  const longest = Math.max(rules.cooldownMs, FIRST_RETRY_MS);
  const doubled = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), longest);
  if (retryAfter === undefined) return doubled;
  const askedMs = 'delaySeconds' in retryAfter ? retryAfter.delaySeconds * 1000 : retryAfter.date - now;
  return Math.min(Math.max(doubled, askedMs), longest);
}

// ---- transitions: the state after an event ----------------------------------------------

/**
 * A request needs a fetch: it starts one, or joins the one in flight (single flight). A
 * request for an unknown kid counts as a waiter; one that starts the fetch is a lookup,
 * which starts the cooldown.
 */
export function fetchRequested(state: CacheState, reason: FetchReason, kid: string | undefined, rules: CacheRules, now: number): CacheState {
  const { inFlight, kidLookup: previous } = state;
  const kidWaiters = (inFlight?.kidWaiters ?? 0) + (reason === 'unknown_kid' ? 1 : 0);
  if (inFlight !== undefined) return { ...state, inFlight: { ...inFlight, kidWaiters } };
  if (reason !== 'unknown_kid') return { ...state, inFlight: { reason, kidWaiters } };
  const isRetry = previous !== undefined && previous.kid === kid && previous.retryAt !== undefined
    && within(now, previous.startedAt, previous.cooldownUntil);
  const kidLookup = { kid, startedAt: now, cooldownUntil: now + rules.cooldownMs, retryAt: undefined, isRetry };
  return { ...state, inFlight: { reason, kidWaiters }, kidLookup };
}

/** A fetch brought `keySet`: fresh for the server's max-age within bounds; back-off over. */
export function fetchSucceeded(state: CacheState, keySet: KeySet, maxAgeSeconds: number | undefined, rules: CacheRules, now: number): CacheState {
  // RFC 9111 §5.2.2.1: the server's max-age is honoured, but raised to MIN_MAX_AGE_MS (a
  // server saying 0 must not make us fetch per request) and capped at maxAgeMs (the
  // operator's bound on how long a key the issuer has removed is still trusted).
  const freshFor = maxAgeSeconds === undefined ? rules.maxAgeMs : Math.min(Math.max(maxAgeSeconds * 1000, MIN_MAX_AGE_MS), rules.maxAgeMs);
  const kids = new Set(keySet.keys.map((key) => key.kid));
  const removedKids = new Set((state.cached?.keySet.keys ?? []).flatMap(({ kid }) => (kid !== undefined && !kids.has(kid) ? [kid] : [])));
  const refreshAt = now + freshFor * (1 - REFRESH_AHEAD_SHARE);
  const cached: CachedSet = { keySet, fetchedAt: now, refreshAt, freshUntil: now + freshFor, staleUntil: now + freshFor + rules.maxStaleMs, removedKids };
  // A lookup answered without its kid: that kid may look once more, after FIRST_RETRY_MS.
  const lookup = state.inFlight?.reason === 'unknown_kid' ? state.kidLookup : undefined;
  const mayRetry = lookup?.kid !== undefined && !kids.has(lookup.kid) && !lookup.isRetry;
  const kidLookup = lookup === undefined ? state.kidLookup : { ...lookup, retryAt: mayRetry ? now + FIRST_RETRY_MS : undefined };
  return { cached, backoff: undefined, kidLookup, inFlight: undefined };
}

/**
 * A fetch failed: retries back off. A failed lookup is no answer, so it starts no cooldown:
 * the back-off alone decides when an unknown kid may cause the next fetch.
 */
export function fetchFailed(state: CacheState, error: AuthError, retryAfter: RetryAfter | undefined, rules: CacheRules, now: number): CacheState {
  const failures = (state.backoff?.failures ?? 0) + 1;
  const backoff: Backoff = { failures, failedAt: now, retryAt: now + retryDelay(failures, retryAfter, rules, now), error };
  const kidLookup = state.inFlight?.reason === 'unknown_kid' ? undefined : state.kidLookup;
  return { ...state, backoff, kidLookup, inFlight: undefined };
}

/** The state as plain JSON for a health endpoint. */
export function describeState(state: CacheState, now: number): KeySourceSnapshot {
  const { cached, backoff, kidLookup } = state;
  const usable = usableSet(state, now);
  const kidCooldown = kidLookup !== undefined && within(now, kidLookup.startedAt, kidLookup.cooldownUntil);
  return {
    source: 'remote',
    state: usable === undefined ? 'empty' : isBackingOff(state, now) ? 'backing_off' : isFresh(state, now) ? 'fresh' : 'stale',
    kids: (usable?.keys ?? []).map((key) => key.kid ?? null),
    fetchedAt: cached?.fetchedAt ?? null,
    refreshAt: cached?.refreshAt ?? null,
    freshUntil: cached?.freshUntil ?? null,
    staleUntil: cached?.staleUntil ?? null,
    refreshing: state.inFlight !== undefined,
    failures: backoff?.failures ?? 0,
    lastError: backoff?.error.code ?? null,
    retryAt: backoff?.retryAt ?? null,
    kidCooldownUntil: kidCooldown ? kidLookup.cooldownUntil : null,
  };
}
