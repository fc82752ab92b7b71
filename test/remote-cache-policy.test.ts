// The key cache's decisions as tables: plain states and times in, a decision out. No server,
// no clock. Times are ms on an arbitrary clock; T is "now" unless a row says otherwise.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../src/errors.js';
import type { VerificationKey } from '../src/jwk.js';
import type { KeySet } from '../src/jwks.js';
import {
  describeState, EMPTY_STATE, fetchFailed, fetchRequested, fetchSucceeded, MAX_KID_WAITERS,
  planKeySet, planKidLookup, retryDelay, trustedSet, type CacheState, type CachedSet,
} from '../src/remote/cache-policy.js';

const T = 1_000_000;
const RULES = { maxAgeMs: 600_000, cooldownMs: 30_000, maxStaleMs: 3_600_000 };
const keySet = (...kids: string[]): KeySet => ({ keys: kids.map((kid) => ({ kid }) as VerificationKey), skipped: [] });
const SET = keySet('a', 'b');
const UNAVAILABLE = new AuthError('auth.jwks_unavailable');

// A set fetched at `fetchedAt` with the default max age: refresh ahead from +540 s, fresh
// until +600 s, stale until +600 s + 1 h.
const cachedAt = (fetchedAt: number, removed: string[] = []): CachedSet => ({
  keySet: SET, fetchedAt, refreshAt: fetchedAt + 540_000, freshUntil: fetchedAt + 600_000,
  staleUntil: fetchedAt + 4_200_000, removedKids: new Set(removed),
});
const state = (parts: Partial<CacheState>): CacheState => ({ ...EMPTY_STATE, ...parts });
const backoffAt = (failedAt: number, retryAt: number) => ({ failures: 1, failedAt, retryAt, error: UNAVAILABLE });
const running = (kidWaiters = 0) => ({ reason: 'unknown_kid' as const, kidWaiters });

test('planKeySet: use the held set (refreshing in the background when due), wait for one, or fail', () => {
  const rows: [name: string, state: CacheState, now: number, expected: string][] = [
    ['nothing loaded', EMPTY_STATE, T, 'wait initial'],
    ['nothing loaded, a fetch runs: join it', state({ inFlight: running() }), T, 'wait initial'],
    ['nothing loaded, backing off', state({ backoff: backoffAt(T - 10, T + 990) }), T, 'fail auth.jwks_unavailable'],
    ['nothing loaded, back-off over', state({ backoff: backoffAt(T - 1_000, T) }), T, 'wait initial'],
    ['nothing loaded, backing off but a fetch runs', state({ backoff: backoffAt(T - 10, T + 990), inFlight: running() }), T, 'wait initial'],
    ['fresh', state({ cached: cachedAt(T - 1_000) }), T, 'use -'],
    ['fresh, last tenth: refresh ahead', state({ cached: cachedAt(T - 540_000) }), T, 'use expiring'],
    ['fresh, just before the last tenth', state({ cached: cachedAt(T - 539_999) }), T, 'use -'],
    ['past max age: stale-while-revalidate', state({ cached: cachedAt(T - 600_000) }), T, 'use expired'],
    ['stale, a refresh runs: no second', state({ cached: cachedAt(T - 600_000), inFlight: running() }), T, 'use -'],
    ['stale, backing off: stale-if-error', state({ cached: cachedAt(T - 600_000), backoff: backoffAt(T - 10, T + 990) }), T, 'use -'],
    ['last instant of maxStale', state({ cached: cachedAt(T - 4_199_999) }), T, 'use expired'],
    ['past maxStale', state({ cached: cachedAt(T - 4_200_000) }), T, 'wait expired'],
    ['past maxStale, backing off', state({ cached: cachedAt(T - 4_200_000), backoff: backoffAt(T - 10, T + 990) }), T, 'fail auth.jwks_unavailable'],
    ['clock stepped back before the fetch: counts as expired', state({ cached: cachedAt(T + 5_000) }), T, 'use expired'],
    ['clock stepped back before a failure: back-off over', state({ backoff: backoffAt(T + 5, T + 1_005) }), T, 'wait initial'],
  ];
  for (const [name, cacheState, now, expected] of rows) {
    const plan = planKeySet(cacheState, now);
    const actual = 'fail' in plan ? `fail ${plan.fail.code}` : 'wait' in plan ? `wait ${plan.wait}` : `use ${plan.refresh ?? '-'}`;
    assert.equal(actual, expected, name);
    if ('use' in plan) assert.equal(plan.use, SET, name);
  }
});

test('planKidLookup: fetch at once, join, or refuse with the reason and the wait', () => {
  const lookup = (kid: string, startedAt: number, retryAt?: number) =>
    ({ kid, startedAt, cooldownUntil: startedAt + 30_000, retryAt, isRetry: false });
  const fresh = cachedAt(T - 1_000, ['old']);
  const rows: [name: string, state: CacheState, kid: string | undefined, expected: string][] = [
    ['no lookup yet', state({ cached: fresh }), 'x', 'fetch'],
    ['a kid the last refresh removed', state({ cached: fresh }), 'old', 'refuse removed 539000'],
    ['a removed kid past refreshAt: no negative wait', state({ cached: cachedAt(T - 560_000, ['old']) }), 'old', 'refuse removed 0'],
    ['a fetch runs: join it', state({ cached: fresh, inFlight: running(1) }), 'x', 'join'],
    [`${MAX_KID_WAITERS - 1} waiting: join`, state({ cached: fresh, inFlight: running(MAX_KID_WAITERS - 1) }), 'x', 'join'],
    [`${MAX_KID_WAITERS} waiting: refuse at once`, state({ cached: fresh, inFlight: running(MAX_KID_WAITERS) }), 'x', 'refuse waiters 0'],
    ['backing off after a failure', state({ cached: fresh, backoff: backoffAt(T - 200, T + 800) }), 'x', 'refuse backoff 800'],
    ['within the cooldown', state({ cached: fresh, kidLookup: lookup('y', T - 10_000) }), 'x', 'refuse cooldown 20000'],
    ['cooldown over', state({ cached: fresh, kidLookup: lookup('y', T - 30_000) }), 'x', 'fetch'],
    ['clock stepped back into the cooldown: over', state({ cached: fresh, kidLookup: lookup('y', T + 1) }), 'x', 'fetch'],
    ['the answer lacked this kid: retry after 1 s', state({ cached: fresh, kidLookup: lookup('x', T - 2_000, T) }), 'x', 'fetch'],
    ['the answer lacked this kid: not before', state({ cached: fresh, kidLookup: lookup('x', T - 2_000, T + 400) }), 'x', 'refuse cooldown 400'],
    ['another kid gets no retry', state({ cached: fresh, kidLookup: lookup('x', T - 2_000, T) }), 'z', 'refuse cooldown 28000'],
    ['no retry granted', state({ cached: fresh, kidLookup: lookup('x', T - 2_000) }), 'x', 'refuse cooldown 28000'],
    ['a token without kid', state({ cached: fresh, kidLookup: lookup('x', T - 2_000, T) }), undefined, 'refuse cooldown 28000'],
  ];
  for (const [name, cacheState, kid, expected] of rows) {
    const plan = planKidLookup(cacheState, kid, T);
    assert.equal(plan.action === 'refuse' ? `refuse ${plan.reason} ${plan.retryInMs}` : plan.action, expected, name);
  }
});

test('retryDelay: 1 s doubling up to max(cooldownMs, 1 s); Retry-After lengthens it within that bound', () => {
  const rows: [failures: number, retryAfter: Parameters<typeof retryDelay>[1], cooldownMs: number, expected: number][] = [
    [1, undefined, 30_000, 1_000], [2, undefined, 30_000, 2_000], [5, undefined, 30_000, 16_000],
    [6, undefined, 30_000, 30_000], [60, undefined, 30_000, 30_000], [3, undefined, 0, 1_000],
    [1, { delaySeconds: 10 }, 30_000, 10_000], [1, { delaySeconds: 120 }, 30_000, 30_000],
    [4, { delaySeconds: 2 }, 30_000, 8_000], [1, { delaySeconds: 0 }, 30_000, 1_000],
    [1, { date: T + 12_000 }, 30_000, 12_000], [1, { date: T - 60_000 }, 30_000, 1_000],
    [1, { date: T + 3_600_000 }, 30_000, 30_000], [1, { delaySeconds: 5 }, 0, 1_000],
  ];
  for (const [failures, retryAfter, cooldownMs, expected] of rows) {
    assert.equal(retryDelay(failures, retryAfter, { ...RULES, cooldownMs }, T), expected, JSON.stringify([failures, retryAfter, cooldownMs]));
  }
});

test('freshness (fetchSucceeded): the server max-age within [1 min, maxAgeMs]', () => {
  const freshness = (maxAgeSeconds: number | undefined, rules: typeof RULES): number =>
    fetchSucceeded(EMPTY_STATE, SET, maxAgeSeconds, rules, T).cached!.freshUntil - T;
  const rows: [maxAgeSeconds: number | undefined, expected: number][] = [[undefined, 600_000], [0, 60_000], [5, 60_000], [120, 120_000], [86_400, 600_000]];
  for (const [maxAge, expected] of rows) assert.equal(freshness(maxAge, RULES), expected, String(maxAge));
  assert.equal(freshness(0, { ...RULES, maxAgeMs: 1_000 }), 1_000, 'maxAgeMs below a minute wins');
});

test('trustedSet (isCurrent): fresh, or stale while backing off; not stale while revalidating', () => {
  const rows: [name: string, state: CacheState, trusted: boolean][] = [
    ['empty', EMPTY_STATE, false],
    ['fresh', state({ cached: cachedAt(T - 1_000) }), true],
    ['past max age', state({ cached: cachedAt(T - 600_000) }), false],
    ['past max age, refreshing', state({ cached: cachedAt(T - 600_000), inFlight: running() }), false],
    ['past max age, backing off', state({ cached: cachedAt(T - 600_000), backoff: backoffAt(T - 10, T + 990) }), true],
    ['past maxStale, backing off', state({ cached: cachedAt(T - 4_200_000), backoff: backoffAt(T - 10, T + 990) }), false],
    ['clock stepped back', state({ cached: cachedAt(T + 1) }), false],
  ];
  for (const [name, cacheState, trusted] of rows) assert.equal(trustedSet(cacheState, T) === SET, trusted, name);
});

test('transitions: a lookup answered without its kid earns one retry after 1 s; a failed one starts no cooldown', () => {
  const started = fetchRequested(state({ cached: cachedAt(T - 1_000) }), 'unknown_kid', 'x', RULES, T);
  assert.deepEqual(started.inFlight, { reason: 'unknown_kid', kidWaiters: 1 });
  const joined = fetchRequested(started, 'unknown_kid', 'y', RULES, T + 10);
  assert.deepEqual(joined.inFlight, { reason: 'unknown_kid', kidWaiters: 2 });
  assert.equal(joined.kidLookup, started.kidLookup, 'joining a fetch starts no lookup');
  assert.deepEqual(fetchRequested(joined, 'expired', undefined, RULES, T + 20).inFlight, joined.inFlight, 'a request for keys is no kid waiter');
  const answered = fetchSucceeded(started, keySet('b', 'c'), undefined, RULES, T + 100);
  assert.deepEqual(answered.kidLookup, { kid: 'x', startedAt: T, cooldownUntil: T + 30_000, retryAt: T + 1_100, isRetry: false });
  assert.deepEqual([...answered.cached!.removedKids], ['a'], 'the refresh removed a');
  assert.equal(answered.inFlight, undefined);

  const retried = fetchRequested(answered, 'unknown_kid', 'x', RULES, T + 1_100);
  assert.equal(retried.kidLookup?.isRetry, true);
  assert.equal(fetchSucceeded(retried, keySet('b'), undefined, RULES, T + 1_200).kidLookup?.retryAt, undefined, 'no third try');
  assert.equal(fetchSucceeded(started, keySet('x'), undefined, RULES, T + 100).kidLookup?.retryAt, undefined, 'found: no retry');

  const failed = fetchFailed(started, UNAVAILABLE, undefined, RULES, T + 100);
  assert.equal(failed.kidLookup, undefined);
  assert.deepEqual(failed.backoff, { failures: 1, failedAt: T + 100, retryAt: T + 1_100, error: UNAVAILABLE });
  assert.equal(fetchFailed(failed, UNAVAILABLE, undefined, RULES, T + 2_000).backoff?.retryAt, T + 4_000, 'second failure: 2 s');
  const expiredRefreshFailed = fetchFailed(fetchRequested(answered, 'expired', undefined, RULES, T + 500), UNAVAILABLE, undefined, RULES, T + 600);
  assert.equal(expiredRefreshFailed.kidLookup, answered.kidLookup, 'a failed refresh leaves the kid cooldown alone');
  assert.equal(fetchSucceeded(failed, SET, 120, RULES, T + 3_000).backoff, undefined, 'a good fetch ends the back-off');
});

test('describeState: the state a health endpoint sees, as plain JSON', () => {
  const rows: [name: string, state: CacheState, expected: string][] = [
    ['empty', EMPTY_STATE, 'empty'],
    ['fresh', state({ cached: cachedAt(T - 1_000) }), 'fresh'],
    ['stale', state({ cached: cachedAt(T - 600_000) }), 'stale'],
    ['backing off with a stale set', state({ cached: cachedAt(T - 600_000), backoff: backoffAt(T - 10, T + 990) }), 'backing_off'],
    ['no keys and backing off', state({ backoff: backoffAt(T - 10, T + 990) }), 'empty'],
  ];
  for (const [name, cacheState, expected] of rows) assert.equal(describeState(cacheState, T).state, expected, name);
  const snapshot = describeState(state({ cached: cachedAt(T - 600_000), backoff: backoffAt(T - 10, T + 990), inFlight: running() }), T);
  assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), {
    source: 'remote', state: 'backing_off', kids: ['a', 'b'], fetchedAt: T - 600_000, refreshAt: T - 60_000, freshUntil: T,
    staleUntil: T + 3_600_000, refreshing: true, failures: 1, lastError: 'auth.jwks_unavailable', retryAt: T + 990, kidCooldownUntil: null,
  });
});
