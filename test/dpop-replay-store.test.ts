import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryReplayStore, isRemembered } from '../src/dpop/replay-store.js';

test('dpop replay store: the decision, as a table of (expiresAt, now)', () => {
  const cases: Array<[number | undefined, number, boolean]> = [
    [undefined, 0, false], [1000, 999, true], [1000, 1000, false], [1000, 1001, false],
  ];
  for (const [expiresAt, now, expected] of cases) assert.equal(isRemembered(expiresAt, now), expected, `${expiresAt} @ ${now}`);
});

test('dpop replay store: a key is new once, then remembered until its TTL ends', () => {
  let now = 0;
  const store = createMemoryReplayStore({ now: () => now });
  assert.equal(store.rememberIfNew('a', 1000), true);
  assert.equal(store.rememberIfNew('a', 1000), false);
  assert.equal(store.rememberIfNew('b', 1000), true);
  now = 999;
  assert.equal(store.rememberIfNew('a', 1000), false);
  now = 1000;
  assert.equal(store.rememberIfNew('a', 1000), true, 'expired keys are new again');
});

test('dpop replay store: bounded: full of live keys it refuses (never forgets a live key); expired ones make room', () => {
  let now = 0;
  const store = createMemoryReplayStore({ max: 3, now: () => now });
  for (const key of ['a', 'b', 'c']) assert.equal(store.rememberIfNew(key, 100), true);
  assert.throws(() => store.rememberIfNew('d', 100), /full/);
  assert.equal(store.rememberIfNew('a', 100), false, 'a full store still recognises a replay');
  now = 100;
  assert.equal(store.rememberIfNew('d', 100), true);
  assert.equal(store.rememberIfNew('e', 100), true);
});

test('dpop replay store: options are checked', () => {
  assert.throws(() => createMemoryReplayStore({ max: 0 }), TypeError);
  assert.throws(() => createMemoryReplayStore({ max: 1.5 }), TypeError);
  assert.throws(() => createMemoryReplayStore({ now: 5 as unknown as () => number }), TypeError);
});
