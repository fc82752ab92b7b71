import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SUPPORTED_ALGORITHMS } from '../src/algorithms.js';
import { readDpopOptions, type DpopVerifierOptions } from '../src/dpop/options.js';

const BASE: DpopVerifierOptions = { mode: 'allowed', publicOrigin: 'https://api.example.com' };

test('dpop options: defaults', () => {
  const settings = readDpopOptions(BASE);
  assert.equal(settings.mode, 'allowed');
  assert.equal(settings.rules.iatWindowSeconds, 60);
  assert.equal(settings.rules.clockTolerance, 5);
  assert.equal(settings.rules.algorithms.size, SUPPORTED_ALGORITHMS.length);
  assert.equal(settings.nonces, undefined);
  assert.equal(settings.realm, 'api');
  assert.equal(settings.replayStoreTimeoutMs, 2000);
  assert.equal(settings.publicOrigin({ method: 'GET', url: '/', headers: {} }), 'https://api.example.com');
});

// Each bad option, and the name the TypeError must carry.
const REFUSED: Array<[string, Record<string, unknown>, RegExp]> = [
  ['misspelt option', { publicOrgin: 'https://x' }, /unknown option "publicOrgin" \(did you mean "publicOrigin"\?\)/],
  ['misspelt nonce option', { nonce: { rotation: 60 } }, /unknown option "nonce\.rotation" \(did you mean "nonce\.rotationSeconds"\?\)/],
  ['mode off', { mode: 'off' }, /mode/],
  ['mode missing', { mode: undefined }, /mode/],
  ['publicOrigin missing', { publicOrigin: undefined }, /publicOrigin/],
  ['publicOrigin with a path', { publicOrigin: 'https://api.example.com/v1' }, /publicOrigin/],
  ['publicOrigin with a trailing slash', { publicOrigin: 'https://api.example.com/' }, /publicOrigin/],
  ['publicOrigin not http(s)', { publicOrigin: 'ftp://api.example.com' }, /publicOrigin/],
  ['algorithms with HS256', { algorithms: ['HS256'] }, /HS256/],
  ['algorithms empty', { algorithms: [] }, /algorithms/],
  ['iatWindowSeconds too large', { iatWindowSeconds: 3600 }, /iatWindowSeconds/],
  ['iatWindowSeconds negative', { iatWindowSeconds: -1 }, /iatWindowSeconds/],
  ['clockTolerance too large', { clockTolerance: 301 }, /clockTolerance/],
  ['replayStore without rememberIfNew', { replayStore: {} }, /replayStore/],
  ['nonce true', { nonce: true }, /nonce/],
  ['replayStoreTimeoutMs zero', { replayStoreTimeoutMs: 0 }, /replayStoreTimeoutMs/],
  ['replayStoreTimeoutMs fractional', { replayStoreTimeoutMs: 1.5 }, /replayStoreTimeoutMs/],
  ['nonce secret too short', { nonce: { secret: Buffer.alloc(8) } }, /nonce\.secret/],
  ['realm with a line break', { realm: 'a\nb' }, /realm/],
  ['now not a function', { now: 5 }, /now/],
];

test('dpop options: every bad option is a TypeError naming it', () => {
  for (const [name, options, message] of REFUSED) {
    assert.throws(() => readDpopOptions({ ...BASE, ...options } as DpopVerifierOptions), (error: unknown) => error instanceof TypeError && message.test(error.message), name);
  }
  assert.throws(() => readDpopOptions(null as unknown as DpopVerifierOptions), TypeError);
});

test('dpop options: nonce {} turns nonces on; a function publicOrigin is the opt-in', () => {
  assert.notEqual(readDpopOptions({ ...BASE, nonce: {} }).nonces, undefined);
  assert.equal(readDpopOptions({ ...BASE, nonce: false }).nonces, undefined);
  const fromHost = readDpopOptions({ ...BASE, publicOrigin: (request) => `https://${String((request.headers as Record<string, string>)['host'])}` });
  assert.equal(fromHost.publicOrigin({ method: 'GET', url: '/', headers: { host: 'h.example' } }), 'https://h.example');
});
