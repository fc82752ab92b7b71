// The signature layer end to end: every openssl-generated JWS case in fixtures/manifest.json,
// plus the key-resolver seam failing closed and both verification paths.
//
// CLEARJWT_FIXTURES points at another fixtures folder (CI regenerates one with openssl).

import assert from 'node:assert/strict';
import crypto, { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import { getAlgorithm, type JwsAlgorithm } from '../src/algorithms.js';
import { AuthError, type AuthErrorCode } from '../src/errors.js';
import { importJwk } from '../src/jwk.js';
import { importJwkSet, selectKey, type KeySet } from '../src/jwks.js';
import type { DecodeOptions } from '../src/jws.js';
import { verifyCompactJws, verifyJws, type KeyResolver, type VerifiedJws } from '../src/verify-jws.js';
import { isDeepStrictEqual } from 'node:util';
import { fixturePath, FIXTURES_DIR, loadManifest, MANIFEST_FILE, missingVectors, readJson } from './support/vectors.js';
import { outcome } from './support/outcome.js';


test(`openssl fixtures: every "jws" case in the manifest has its expected outcome (${FIXTURES_DIR})`, async (t) => {
  const skip = missingVectors(MANIFEST_FILE, 'fixtures/manifest.json');
  if (skip !== undefined) return t.skip(skip);
  const manifest = loadManifest();
  const keySets = new Map<string, KeySet>();
  const cases = manifest.cases.filter((fixture) => fixture.layer === 'jws');
  assert.ok(cases.length > 0, 'the manifest has jws cases');
  const mismatches: string[] = [];
  let valid = 0;
  for (const fixture of cases) {
    let keySet = keySets.get(fixture.jwks);
    if (keySet === undefined) {
      keySet = importJwkSet(readJson(fixturePath(fixture.jwks)));
      keySets.set(fixture.jwks, keySet);
    }
    const options: { maxTokenLength?: number; algorithms?: Set<JwsAlgorithm> } = {};
    if (typeof fixture.options?.['maxTokenLength'] === 'number') options.maxTokenLength = fixture.options['maxTokenLength'];
    if (Array.isArray(fixture.options?.['algorithms'])) options.algorithms = new Set(fixture.options['algorithms'] as JwsAlgorithm[]);
    const actual = await outcome(verifyCompactJws(fixture.token, keySet, options));
    if (actual !== fixture.expect) mismatches.push(`${fixture.name}: expected ${fixture.expect}, got ${actual}`);
    if (actual === 'valid') valid++;
  }
  assert.deepEqual(mismatches, []);
  assert.ok(valid >= 30, `valid cases: ${valid}`);
});

test('openssl fixtures: a valid token returns the signed payload bytes and the key that verified it', async (t) => {
  const skip = missingVectors(MANIFEST_FILE, 'fixtures/manifest.json');
  if (skip !== undefined) return t.skip(skip);
  const manifest = loadManifest();
  const keySet = importJwkSet(readJson(fixturePath('jwks.json')));
  for (const entry of manifest.keys) {
    const fixture = manifest.cases.find((candidate) => candidate.name === `${entry.alg.toLowerCase()}/valid`);
    assert.ok(fixture !== undefined, entry.alg);
    const verified = await verifyCompactJws(fixture.token, keySet);
    assert.equal(verified.header.alg, entry.alg);
    assert.equal(verified.key.kid, entry.kid);
    assert.deepEqual(verified.payload, Buffer.from(fixture.token.split('.')[1]!, 'base64url'));
  }
});

// --- The resolver seam and the two paths, with keys made here by Node. --------------------

// Node's encoder, not ours: fixtures are never built with the code under test.
const b64 = (bytes: Uint8Array | string): string => Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes) : bytes).toString('base64url');

function compact(header: Record<string, unknown>, privateKey: KeyObject, hash: string | null): string {
  const signingInput = `${b64(JSON.stringify(header))}.${b64('{"sub":"user_123"}')}`;
  const signature = sign(hash, Buffer.from(signingInput), hash === null ? privateKey : { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${b64(signature)}`;
}

function flipLastSignatureByte(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  signature[signature.length - 1]! ^= 1;
  return `${token.slice(0, dot + 1)}${b64(signature)}`;
}

const P256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const P384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ED25519 = generateKeyPairSync('ed25519');
const KEYS = importJwkSet({
  keys: [
    { ...P256.publicKey.export({ format: 'jwk' }), kid: 'p256' },
    { ...P384.publicKey.export({ format: 'jwk' }), kid: 'p384' },
    { ...ED25519.publicKey.export({ format: 'jwk' }), kid: 'ed' },
  ],
});
const ES256_TOKEN = compact({ alg: 'ES256', kid: 'p256' }, P256.privateKey, 'sha256');
const ES384_TOKEN = compact({ alg: 'ES384', kid: 'p384' }, P384.privateKey, 'sha384');
const EDDSA_TOKEN = compact({ alg: 'EdDSA', kid: 'ed' }, ED25519.privateKey, null);

test('sync path (ES256, EdDSA) and off-thread path (ES384) accept good and reject wrong signatures', async () => {
  const table: [label: string, token: string, offThread: boolean][] = [
    ['ES256', ES256_TOKEN, false],
    ['EdDSA', EDDSA_TOKEN, false],
    ['ES384', ES384_TOKEN, true],
  ];
  for (const [label, token, offThread] of table) {
    assert.equal(getAlgorithm(label)!.offThread, offThread, `${label} takes the ${offThread ? 'off-thread' : 'sync'} path`);
    assert.equal(await outcome(verifyCompactJws(token, KEYS)), 'valid', label);
    assert.equal(await outcome(verifyCompactJws(flipLastSignatureByte(token), KEYS)), 'auth.jws_signature_invalid', `${label} flipped`);
    const zeroed = `${token.slice(0, token.lastIndexOf('.') + 1)}${b64(Buffer.alloc(label === 'ES384' ? 96 : 64))}`;
    assert.equal(await outcome(verifyCompactJws(zeroed, KEYS)), 'auth.jws_signature_invalid', `${label} zero signature`);
  }
});

test('the table decides the path: ES384 verifies with a callback (thread pool), ES256 and EdDSA synchronously', async () => {
  const original = crypto.verify;
  const paths: string[] = [];
  crypto.verify = ((...args: unknown[]) => {
    paths.push(typeof args[4] === 'function' ? 'off-thread' : 'sync');
    return (original as (...rest: unknown[]) => unknown)(...args);
  }) as typeof original;
  syncBuiltinESMExports();
  try {
    for (const token of [ES256_TOKEN, EDDSA_TOKEN, ES384_TOKEN]) assert.equal(await outcome(verifyCompactJws(token, KEYS)), 'valid');
  } finally {
    crypto.verify = original;
    syncBuiltinESMExports();
  }
  assert.deepEqual(paths, ['sync', 'sync', 'off-thread']);
});

test('decode options reach the decoder: allowlist and size cap', async () => {
  const options: DecodeOptions = { algorithms: new Set<JwsAlgorithm>(['ES384']) };
  assert.equal(await outcome(verifyCompactJws(ES256_TOKEN, KEYS, options)), 'auth.jws_alg_not_allowed');
  assert.equal(await outcome(verifyCompactJws(ES384_TOKEN, KEYS, options)), 'valid');
  assert.equal(await outcome(verifyCompactJws(ES256_TOKEN, KEYS, { maxTokenLength: ES256_TOKEN.length - 1 })), 'auth.token_too_large');
  assert.equal(await outcome(verifyCompactJws(ES256_TOKEN, KEYS, { maxTokenLength: ES256_TOKEN.length })), 'valid');
});

test('a KeyResolver is used in place of a set; whatever it throws fails closed', async () => {
  const p256Key = selectKey(KEYS, 'ES256', 'p256');
  const seen: unknown[] = [];
  const resolver: KeyResolver = (header) => {
    seen.push(header);
    return p256Key;
  };
  assert.equal(await outcome(verifyCompactJws(ES256_TOKEN, resolver)), 'valid');
  assert.deepEqual(seen.map((header) => ({ ...(header as object) })), [{ alg: 'ES256', kid: 'p256' }]);
  assert.equal(await outcome(verifyCompactJws(ES256_TOKEN, async () => p256Key)), 'valid');
  // Any thenable is awaited, not only this realm's Promise.
  const thenable = { then: (resolve: (key: typeof p256Key) => void) => resolve(p256Key) };
  assert.equal(await outcome(verifyCompactJws(ES256_TOKEN, () => thenable as unknown as Promise<typeof p256Key>)), 'valid');

  const throwing: [label: string, resolver: KeyResolver, code: AuthErrorCode][] = [
    ['throws an Error', () => { throw new Error('boom'); }, 'auth.verification_failed'],
    ['throws a string', () => { throw 'boom'; }, 'auth.verification_failed'],
    ['rejects', () => Promise.reject(new TypeError('boom')), 'auth.verification_failed'],
    ['returns undefined', () => undefined as unknown as ReturnType<KeyResolver>, 'auth.verification_failed'],
    ['throws an AuthError: its code is kept', () => { throw new AuthError('auth.jwks_unavailable'); }, 'auth.jwks_unavailable'],
    ['returns a key that does not fit the algorithm', () => selectKey(KEYS, 'EdDSA', 'ed'), 'auth.jws_signature_invalid'],
    ['returns a key that did not sign', () => importJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })), 'auth.jws_signature_invalid'],
  ];
  for (const [label, bad, code] of throwing) assert.equal(await outcome(verifyCompactJws(ES256_TOKEN, bad)), code, label);
  // The cause is kept for logs, the code is the catch-all.
  await assert.rejects(verifyCompactJws(ES256_TOKEN, () => { throw new RangeError('inner'); }), (error: unknown) => {
    assert.ok(error instanceof AuthError && error.code === 'auth.verification_failed', "error instanceof AuthError && error.code === 'auth.verification_failed'");
    assert.ok(error.cause instanceof RangeError, 'error.cause instanceof RangeError');
    return true;
  });
});

test('a resolver is never asked about a token whose header is refused', async () => {
  let calls = 0;
  const resolver: KeyResolver = () => { calls++; throw new Error('should not be called'); };
  const none = `${b64('{"alg":"none"}')}.${b64('{}')}.${b64(Buffer.alloc(64))}`;
  assert.equal(await outcome(verifyCompactJws(none, resolver)), 'auth.jws_alg_not_allowed');
  assert.equal(await outcome(verifyCompactJws('a.b', resolver)), 'auth.jws_malformed');
  assert.equal(calls, 0);
});

test('input that is not a string fails with a code, not a TypeError', async () => {
  for (const token of [undefined, null, 1, {}, Buffer.from('a.b.c')]) {
    assert.equal(await outcome(verifyCompactJws(token as unknown as string, KEYS)), 'auth.jws_malformed', String(token));
  }
});

test('a wrong signature\'s detail names the alg and kid, on both paths; an unforeseen throw is "unexpected"', async () => {
  for (const [token, alg, kid] of [[ES256_TOKEN, 'ES256', 'p256'], [ES384_TOKEN, 'ES384', 'p384']] as const) {
    await assert.rejects(verifyCompactJws(flipLastSignatureByte(token), KEYS), (error: unknown) => {
      assert.ok(error instanceof AuthError, alg);
      assert.deepEqual(error.detail, { check: 'signature', alg, kid }, alg);
      return true;
    });
  }
  const thrown = new TypeError('resolver bug');
  await assert.rejects(verifyCompactJws(ES256_TOKEN, () => { throw thrown; }), (error: unknown) =>
    error instanceof AuthError && error.code === 'auth.verification_failed' && error.cause === thrown
    && isDeepStrictEqual(error.detail, { check: 'unexpected' }));
});

test('a resolver that answers synchronously costs no promise; one that answers with a promise is awaited', async () => {
  const p256Key = selectKey(KEYS, 'ES256', 'p256');
  const direct = verifyJws(ES256_TOKEN, () => p256Key, {});
  assert.ok(!(direct instanceof Promise), 'a plain value when the key and the verdict are at hand');
  assert.equal((direct as VerifiedJws).key, p256Key);
  const later = verifyJws(ES256_TOKEN, async () => p256Key, {});
  assert.ok(later instanceof Promise, 'a promise when the resolver returns one');
  assert.equal((await later).key, p256Key);
  assert.ok(verifyJws(ES384_TOKEN, KEYS, {}) instanceof Promise, 'a promise when the maths runs on the thread pool');
  assert.throws(() => verifyJws(flipLastSignatureByte(ES256_TOKEN), KEYS, {}), (error: unknown) =>
    error instanceof AuthError && error.code === 'auth.jws_signature_invalid');
});
