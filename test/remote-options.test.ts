import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRemoteKeyOptions, type RemoteKeySourceOptions } from '../src/remote/options.js';

const issuer = 'https://t.logto.app/oidc';

test('defaults: 5 s timeout, 512 KiB cap, 10 min max age, 30 s cooldown, 24 h max stale', () => {
  const settings = readRemoteKeyOptions({ issuer });
  assert.deepEqual(settings.limits, { timeoutMs: 5_000, maxResponseBytes: 524_288 });
  assert.equal(settings.maxAgeMs, 600_000);
  assert.equal(settings.cooldownMs, 30_000);
  assert.equal(settings.maxStaleMs, 86_400_000);
  assert.equal(settings.now, Date.now);
  assert.equal(settings.jwksUrl, undefined);
});

test('jwksUri, when given, is the URL fetched, and issuer is not needed', () => {
  const settings = readRemoteKeyOptions({ jwksUri: 'https://t.logto.app/oidc/jwks' });
  assert.equal(settings.jwksUrl?.href, 'https://t.logto.app/oidc/jwks');
});

test('bad options throw a TypeError', () => {
  const bad: readonly RemoteKeySourceOptions[] = [
    {}, { issuer: 'not a url' }, { issuer: 'http://t.logto.app/oidc' }, { issuer: `${issuer}?x=1` },
    { jwksUri: '' }, { jwksUri: 'http://192.0.2.1/jwks' }, { jwksUri: 42 as never },
    { issuer, timeoutMs: 0 }, { issuer, timeoutMs: 2 ** 31 }, { issuer, maxResponseBytes: 1.5 },
    { issuer, maxAgeMs: 0 }, { issuer, maxAgeMs: -1 }, { issuer, cooldownMs: Number.NaN },
    { issuer, maxStaleMs: Infinity }, { issuer, timeoutMs: '300' as never },
    { issuer, onEvent: 'log' as never }, { issuer, now: 5 as never },
  ];
  for (const options of bad) assert.throws(() => readRemoteKeyOptions(options), TypeError, JSON.stringify(options));
});

test('zero cooldown and zero max stale are allowed', () => {
  assert.doesNotThrow(() => readRemoteKeyOptions({ issuer, cooldownMs: 0, maxStaleMs: 0 }));
});
