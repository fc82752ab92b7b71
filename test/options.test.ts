import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_TOKEN_CACHE_ENTRIES, MAX_TOKEN_CACHE_TOTAL_LENGTH, readCallOptions, readRemoteKeyOptions, readVerifierOptions,
  type RemoteKeySettings, type VerifierOptions,
} from '../src/options.js';
import type { RemoteKeySourceOptions } from '../src/remote/options.js';
import { createRemoteKeySource } from '../src/remote/jwks-cache.js';
import { createVerifier } from '../src/verifier.js';
import { SUPPORTED_ALGORITHMS } from '../src/algorithms.js';
import { fixturePath, readJson } from './support/vectors.js';

const issuer = 'https://t.logto.app/oidc';
const REMOTE: VerifierOptions = { issuer, audience: 'https://api.example.com' };
const STATIC: VerifierOptions = { ...REMOTE, jwks: readJson(fixturePath('jwks.json')) };

// --- the remote key source's options ----------------------------------------------------

test('remote defaults: 5 s timeout, 512 KiB cap, 10 min max age, 30 s cooldown, 24 h max stale', () => {
  const settings: RemoteKeySettings = readRemoteKeyOptions({ issuer });
  assert.deepEqual(settings.limits, { timeoutMs: 5_000, maxResponseBytes: 524_288 });
  assert.equal(settings.maxAgeMs, 600_000);
  assert.equal(settings.cooldownMs, 30_000);
  assert.equal(settings.maxStaleMs, 86_400_000);
  assert.equal(settings.now, Date.now);
  assert.equal(settings.jwksUrl, undefined);
  assert.ok(Object.isFrozen(settings) && Object.isFrozen(settings.limits), 'Object.isFrozen(settings) && Object.isFrozen(settings.limits)');
});

test('jwksUri, when given, is the URL fetched, and issuer is not needed', () => {
  const settings = readRemoteKeyOptions({ jwksUri: 'https://t.logto.app/oidc/jwks' });
  assert.equal(settings.jwksUrl?.href, 'https://t.logto.app/oidc/jwks');
});

test('bad remote options throw a TypeError, each on its own', () => {
  const bad: readonly RemoteKeySourceOptions[] = [
    {}, { issuer: 'not a url' }, { issuer: 'http://t.logto.app/oidc' }, { issuer: `${issuer}?x=1` },
    { jwksUri: '' }, { jwksUri: 'http://192.0.2.1/jwks' }, { jwksUri: 42 as never },
    { issuer, timeoutMs: 0 }, { issuer, timeoutMs: 2 ** 31 }, { issuer, maxResponseBytes: 1.5 },
    { issuer, maxAgeMs: 0 }, { issuer, maxAgeMs: -1 }, { issuer, cooldownMs: Number.NaN },
    { issuer, maxStaleMs: Infinity }, { issuer, timeoutMs: '300' as never },
    { issuer, onEvent: 'log' as never }, { issuer, now: 5 as never },
  ];
  const notRefused = bad.filter((options) => {
    try {
      readRemoteKeyOptions(options);
      return true;
    } catch (error) {
      return !(error instanceof TypeError);
    }
  });
  assert.deepEqual(notRefused, []);
});

test('zero cooldown and zero max stale are allowed', () => {
  assert.doesNotThrow(() => readRemoteKeyOptions({ issuer, cooldownMs: 0, maxStaleMs: 0 }));
});

// --- unknown names are refused, with the closest known one -----------------------------

test('an unknown option is refused with a TypeError naming it and the closest known option', () => {
  const cases: Array<[string, () => unknown, string]> = [
    ['requiredScope (the typo that would open a route)', () => createVerifier({ ...STATIC, requiredScope: ['admin'] } as never),
      'clearjwt: unknown option "requiredScope" (did you mean "requiredScopes"?)'],
    ['audiance', () => createVerifier({ ...STATIC, audiance: 'x' } as never), 'clearjwt: unknown option "audiance" (did you mean "audience"?)'],
    ['clocktolerance (case)', () => createVerifier({ ...STATIC, clocktolerance: 1 } as never),
      'clearjwt: unknown option "clocktolerance" (did you mean "clockTolerance"?)'],
    ['an unknown name with the value undefined', () => createVerifier({ ...STATIC, scopes: undefined } as never),
      'clearjwt: unknown option "scopes" (did you mean "requiredScopes"?)'],
    ['inside jwksCache', () => createVerifier({ ...REMOTE, jwksCache: { maxAge: 1000 } } as never),
      'clearjwt: unknown option "jwksCache.maxAge" (did you mean "jwksCache.maxAgeMs"?)'],
    ['inside cache', () => createVerifier({ ...STATIC, cache: { max: 10, maxSize: 10 } } as never),
      'clearjwt: unknown option "cache.maxSize" (did you mean "cache.max"?)'],
    ['createRemoteKeySource', () => createRemoteKeySource({ issuer, timeout: 5 } as never),
      'clearjwt: unknown option "timeout" (did you mean "timeoutMs"?)'],
    ['a symbol key', () => createVerifier({ ...STATIC, [Symbol('x')]: 1 } as never),
      'clearjwt: unknown option "Symbol(x)" (did you mean "typ"?)'],
  ];
  const differing: string[] = [];
  for (const [name, run, message] of cases) {
    try {
      run();
      differing.push(`${name}: accepted`);
    } catch (error) {
      if (!(error instanceof TypeError) || error.message !== message) differing.push(`${name}: ${String(error)}`);
    }
  }
  assert.deepEqual(differing, []);
});

test('per-call options: unknown names and malformed scopes are TypeErrors; none gives no scopes', () => {
  assert.deepEqual(readCallOptions(undefined), { scopes: [], audiences: undefined });
  assert.deepEqual(readCallOptions({}), { scopes: [], audiences: undefined });
  assert.deepEqual(readCallOptions({ scopes: ['admin'] }), { scopes: ['admin'], audiences: undefined });
  assert.deepEqual(readCallOptions({ audience: 'urn:x' }), { scopes: [], audiences: ['urn:x'] });
  assert.deepEqual(readCallOptions({ audience: ['a', 'b'] }), { scopes: [], audiences: ['a', 'b'] });
  for (const audience of ['', [], [''], [1], 5]) assert.throws(() => readCallOptions({ audience } as never), TypeError, JSON.stringify(audience));
  assert.throws(() => readCallOptions({ scope: ['admin'] } as never), { name: 'TypeError', message: 'clearjwt: unknown option "scope" (did you mean "scopes"?)' });
  assert.throws(() => readCallOptions({ scopes: 'admin' } as never), TypeError);
  assert.throws(() => readCallOptions({ scopes: ['a b'] }), TypeError);
  assert.throws(() => readCallOptions(null as never), TypeError);
});

test('verifier settings: defaults filled in one place, frozen', () => {
  const settings = readVerifierOptions(STATIC);
  assert.equal(settings.issuers.length, 1);
  const { rules, keys } = settings.issuers[0]!;
  assert.deepEqual(rules, {
    issuer, audiences: ['https://api.example.com'], clockTolerance: 5, maxTokenAge: undefined, requiredScopes: [], typ: undefined,
  });
  assert.equal(settings.decode.maxTokenLength, 16_384);
  assert.deepEqual([...settings.decode.algorithms], [...SUPPORTED_ALGORITHMS]);
  assert.equal(settings.realm, undefined);
  assert.equal(settings.now, Date.now);
  assert.deepEqual(settings.cache, { max: 10_000, maxTotalLength: 4 * 1024 * 1024 }, 'the token cache is on; README states these');
  assert.equal(keys.kind, 'static');
  assert.ok(Object.isFrozen(settings) && Object.isFrozen(settings.issuers) && Object.isFrozen(rules) && Object.isFrozen(rules.audiences), 'settings, issuers, rules and audiences frozen');
  assert.equal(readVerifierOptions({ ...STATIC, typ: 'Application/AT+JWT' }).issuers[0]!.rules.typ, 'at+jwt');
  // The settings hold copies: the caller changing its arrays afterwards changes no rule.
  const requiredScopes = ['read'];
  const copied = readVerifierOptions({ ...STATIC, requiredScopes }).issuers[0]!.rules;
  requiredScopes.push('write');
  assert.ok(Object.isFrozen(copied.requiredScopes), 'requiredScopes frozen');
  assert.deepEqual(copied.requiredScopes, ['read']);
});

test('options left out are not read through a polluted Object.prototype', () => {
  const polluted = Object.prototype as Record<string, unknown>;
  const pollution = { clockTolerance: 300, requiredScopes: ['x'], realm: 'polluted', cache: false, typ: 'polluted' };
  Object.assign(polluted, pollution);
  try {
    const settings = readVerifierOptions(STATIC);
    const { rules } = settings.issuers[0]!;
    assert.deepEqual([rules.clockTolerance, rules.requiredScopes, settings.realm, rules.typ], [5, [], undefined, undefined]);
    assert.notEqual(settings.cache, undefined, 'the cache stays on');
  } finally {
    for (const name of Object.keys(pollution)) delete polluted[name];
  }
});

test('cache: on by default; true and {} are the default; false is off; each member checked, the other defaulted', () => {
  const MiB = 1024 * 1024;
  const accepted: Array<[unknown, unknown]> = [
    [undefined, { max: 10_000, maxTotalLength: 4 * MiB }], [true, { max: 10_000, maxTotalLength: 4 * MiB }],
    [{}, { max: 10_000, maxTotalLength: 4 * MiB }], [false, undefined],
    [{ max: 1 }, { max: 1, maxTotalLength: 4 * MiB }], [{ max: MAX_TOKEN_CACHE_ENTRIES }, { max: MAX_TOKEN_CACHE_ENTRIES, maxTotalLength: 4 * MiB }],
    [{ maxTotalLength: 1 }, { max: 10_000, maxTotalLength: 1 }],
    [{ max: 50, maxTotalLength: MAX_TOKEN_CACHE_TOTAL_LENGTH }, { max: 50, maxTotalLength: MAX_TOKEN_CACHE_TOTAL_LENGTH }],
  ];
  const differing: string[] = [];
  for (const [cache, expected] of accepted) {
    const settings = readVerifierOptions({ ...STATIC, cache } as VerifierOptions);
    try {
      assert.deepEqual(settings.cache, expected);
    } catch {
      differing.push(`${JSON.stringify(cache)} → ${JSON.stringify(settings.cache)}`);
    }
  }
  const notCache = 'clearjwt: cache must be false, true or { max?, maxTotalLength? }';
  const maxRange = `clearjwt: cache.max must be an integer from 1 to ${MAX_TOKEN_CACHE_ENTRIES}`;
  const lengthRange = `clearjwt: cache.maxTotalLength must be an integer from 1 to ${MAX_TOKEN_CACHE_TOTAL_LENGTH}`;
  const refused: Array<[unknown, string]> = [
    [null, notCache], [0, notCache], [10, notCache], ['big', notCache], [[], notCache], ['false', notCache],
    [{ max: 0 }, maxRange], [{ max: -1 }, maxRange], [{ max: 1.5 }, maxRange], [{ max: '10' }, maxRange], [{ max: null }, maxRange],
    [{ max: Infinity }, maxRange], [{ max: MAX_TOKEN_CACHE_ENTRIES + 1 }, maxRange],
    [{ maxTotalLength: 0 }, lengthRange], [{ maxTotalLength: 2.5 }, lengthRange], [{ maxTotalLength: MAX_TOKEN_CACHE_TOTAL_LENGTH + 1 }, lengthRange],
    [{ maxx: 10 }, 'clearjwt: unknown option "cache.maxx" (did you mean "cache.max"?)'],
    [{ max: 10, totalLength: 10 }, 'clearjwt: unknown option "cache.totalLength" (did you mean "cache.maxTotalLength"?)'],
  ];
  for (const [cache, message] of refused) {
    try {
      readVerifierOptions({ ...STATIC, cache } as VerifierOptions);
      differing.push(`${JSON.stringify(cache)}: accepted`);
    } catch (error) {
      if (!(error instanceof TypeError) || error.message !== message) differing.push(`${JSON.stringify(cache)}: ${String(error)}`);
    }
  }
  assert.deepEqual(differing, []);
});

test('remote verifier settings carry jwksCache, jwksUri, onEvent and the clock to the key source', () => {
  const now = () => 0;
  const onEvent = () => {};
  const settings = readVerifierOptions({ ...REMOTE, jwksUri: `${issuer}/jwks`, jwksCache: { maxAgeMs: 1000 }, onEvent, now });
  const { keys } = settings.issuers[0]!;
  assert.equal(keys.kind, 'remote');
  if (keys.kind !== 'remote') return;
  assert.deepEqual(keys.options, { maxAgeMs: 1000, issuer, jwksUri: `${issuer}/jwks`, onEvent, now });
  assert.throws(() => readVerifierOptions({ ...REMOTE, jwksCache: { maxAgeMs: 0 } }), TypeError);
  assert.throws(() => readVerifierOptions({ ...REMOTE, jwksCache: 5 as never }), TypeError);
});
