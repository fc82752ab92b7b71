import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { createNonceSource, nonceForSlot, slotAt } from '../src/dpop/nonce.js';

const SECRET = Buffer.alloc(32, 1);

test('dpop nonce: slots are a pure function of time', () => {
  const cases: Array<[number, number, number]> = [[0, 300, 0], [299_999, 300, 0], [300_000, 300, 1], [1_000, 1, 1]];
  for (const [nowMs, rotation, slot] of cases) assert.equal(slotAt(nowMs, rotation), slot);
});

test('dpop nonce: an HMAC-SHA256 of the slot under the secret, base64url (RFC 9449 §8.1 NQCHAR)', () => {
  const expected = createHmac('sha256', SECRET).update('dpop-nonce:7').digest('base64url');
  assert.equal(nonceForSlot(SECRET, 7), expected);
  assert.notEqual(nonceForSlot(Buffer.alloc(32, 2), 7), expected, 'another secret, another nonce');
  assert.match(expected, /^[A-Za-z0-9_-]{43}$/);
});

test('dpop nonce: current and previous accepted, older and forged refused', () => {
  let now = 10 * 60_000;
  const source = createNonceSource({ secret: SECRET, rotationSeconds: 60 }, () => now);
  const first = source.current();
  assert.equal(source.accepts(first), true);
  now += 60_000;
  assert.notEqual(source.current(), first);
  assert.equal(source.accepts(first), true, 'previous slot');
  now += 60_000;
  assert.equal(source.accepts(first), false, 'two slots ago');
  assert.equal(source.accepts(''), false);
  assert.equal(source.accepts(`${source.current()}A`), false);
});

test('dpop nonce: processes sharing a secret agree; without one, each process has its own', () => {
  const clock = () => 1_000_000;
  assert.equal(createNonceSource({ secret: SECRET }, clock).current(), createNonceSource({ secret: SECRET }, clock).current());
  assert.notEqual(createNonceSource({}, clock).current(), createNonceSource({}, clock).current());
});

test('dpop nonce: a short secret or a bad rotation is refused', () => {
  assert.throws(() => createNonceSource({ secret: Buffer.alloc(31) }, Date.now), /secret/);
  assert.throws(() => createNonceSource({ secret: 'text' as unknown as Uint8Array }, Date.now), /secret/);
  assert.throws(() => createNonceSource({ rotationSeconds: 0 }, Date.now), /rotationSeconds/);
  assert.throws(() => createNonceSource({ rotationSeconds: Number.NaN }, Date.now), /rotationSeconds/);
});
