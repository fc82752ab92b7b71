// The one caller of crypto.verify: every algorithm, every length rule, the key's own
// algorithm set, and the off-thread path. Signatures are made by Node or by openssl
// (fixtures), never by clearjwt.

import assert from 'node:assert/strict';
import crypto, { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import { getAlgorithm, SUPPORTED_ALGORITHMS, type AlgorithmSpec, type JwsAlgorithm } from '../src/algorithms.js';
import { decodeCompactJws } from '../src/jws.js';
import { importJwk, type VerificationKey } from '../src/jwk.js';
import { importJwkSet, selectKey } from '../src/jwks.js';
import { verifySignature } from '../src/signature.js';
import { assertAllAsExpected } from './support/outcome.js';
import { fixturePath, loadManifest, MANIFEST_FILE, missingVectors, readJson } from './support/vectors.js';

const algorithm = (name: JwsAlgorithm): AlgorithmSpec => getAlgorithm(name)!;

interface Signer {
  readonly privateKey: KeyObject;
  readonly key: VerificationKey;
}

function signer(type: 'ec' | 'rsa' | 'ed25519', options: { namedCurve?: string; modulusLength?: number } = {}): Signer {
  const pair = type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: options.namedCurve! })
    : type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 }) : generateKeyPairSync('ed25519');
  return { privateKey: pair.privateKey, key: importJwk(pair.publicKey.export({ format: 'jwk' })) };
}

const SIGNERS: Record<'P-256' | 'P-384' | 'P-521' | 'RSA' | 'Ed25519', Signer> = {
  'P-256': signer('ec', { namedCurve: 'P-256' }),
  'P-384': signer('ec', { namedCurve: 'P-384' }),
  'P-521': signer('ec', { namedCurve: 'P-521' }),
  RSA: signer('rsa'),
  Ed25519: signer('ed25519'),
};

function signerFor(spec: AlgorithmSpec): Signer {
  if (spec.kty === 'RSA') return SIGNERS.RSA;
  return SIGNERS[spec.curve as 'P-256' | 'P-384' | 'P-521' | 'Ed25519'];
}

/** JWS-format signature made by Node: raw r‖s for ES*, salt = hash length for PS*. */
function nodeSign(spec: AlgorithmSpec, privateKey: KeyObject, message: Buffer, saltLength?: number): Buffer {
  switch (spec.family) {
    case 'ECDSA': return sign(spec.hash, message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA': return sign(null, message, privateKey);
    case 'RSASSA-PSS': return sign(spec.hash, message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: saltLength ?? spec.saltLength });
    case 'RSASSA-PKCS1-v1_5': return sign(spec.hash, message, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
  }
}

// signature.ts picks the thread from the table row; the same row with offThread flipped
// drives the other path, so every algorithm is checked on both.
const onEventLoop = (spec: AlgorithmSpec): AlgorithmSpec => ({ ...spec, offThread: false });
const onThreadPool = (spec: AlgorithmSpec): AlgorithmSpec => ({ ...spec, offThread: true });

async function bothPaths(spec: AlgorithmSpec, key: VerificationKey, message: Uint8Array, signature: Uint8Array): Promise<[boolean, boolean]> {
  const sync = verifySignature(onEventLoop(spec), key, message, signature);
  assert.equal(typeof sync, 'boolean', 'the event-loop path answers without a promise');
  return [sync as boolean, await verifySignature(onThreadPool(spec), key, message, signature)];
}

const MESSAGE = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEyMyJ9');

test('every algorithm: a good signature verifies, a one-bit change does not, on both paths', async () => {
  assert.equal(SUPPORTED_ALGORITHMS.length, 11);
  for (const name of SUPPORTED_ALGORITHMS) {
    const spec = algorithm(name);
    const { privateKey, key } = signerFor(spec);
    const signature = nodeSign(spec, privateKey, MESSAGE);
    assert.deepEqual(await bothPaths(spec, key, MESSAGE, signature), [true, true], name);
    for (const position of [0, signature.length >> 1, signature.length - 1]) {
      const flipped = Buffer.from(signature);
      flipped[position]! ^= 0x01;
      assert.deepEqual(await bothPaths(spec, key, MESSAGE, flipped), [false, false], `${name} bit flip at ${position}`);
    }
    const otherMessage = Buffer.concat([MESSAGE, Buffer.from('x')]);
    assert.deepEqual(await bothPaths(spec, key, otherMessage, signature), [false, false], `${name} other message`);
  }
});

test('the key decides: an algorithm outside key.algorithms is false even for a good signature (RFC 8725 §3.1)', async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pinned = importJwk({ ...pair.publicKey.export({ format: 'jwk' }), alg: 'RS256' });
  const ps256 = algorithm('PS256');
  const signature = nodeSign(ps256, pair.privateKey, MESSAGE);
  const unpinned = importJwk(pair.publicKey.export({ format: 'jwk' }));
  assert.deepEqual(await bothPaths(ps256, unpinned, MESSAGE, signature), [true, true]);
  assert.deepEqual(await bothPaths(ps256, pinned, MESSAGE, signature), [false, false]);
  // Key type binding: an ES384 signature offered against the P-256 key is refused by the key.
  const es384 = algorithm('ES384');
  const fromP384 = nodeSign(es384, SIGNERS['P-384'].privateKey, MESSAGE);
  assert.deepEqual(await bothPaths(es384, SIGNERS['P-256'].key, MESSAGE, fromP384), [false, false]);
});

test('ECDSA: exactly 64/96/132 raw bytes; DER, re-padded, r = 0 and s = 0 are false (RFC 7518 §3.4, CVE-2022-21449)', async () => {
  for (const name of ['ES256', 'ES384', 'ES512'] as const) {
    const spec = algorithm(name);
    const { privateKey, key } = signerFor(spec);
    const raw = nodeSign(spec, privateKey, MESSAGE);
    const half = raw.length / 2;
    const der = sign(spec.family === 'ECDSA' ? spec.hash : null, MESSAGE, { key: privateKey, dsaEncoding: 'der' });
    const zero = Buffer.alloc(half);
    const table: [label: string, signature: Buffer][] = [
      ['DER encoding', der],
      ['one byte short', raw.subarray(1)],
      ['one byte long (leading zero)', Buffer.concat([Buffer.from([0]), raw])],
      ['one byte long (trailing zero)', Buffer.concat([raw, Buffer.from([0])])],
      ['r only', raw.subarray(0, half)],
      ['r = s = 0', Buffer.alloc(raw.length)],
      ['r = 0', Buffer.concat([zero, raw.subarray(half)])],
      ['s = 0', Buffer.concat([raw.subarray(0, half), zero])],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [label, signature] of table) {
      assert.deepEqual(await bothPaths(spec, key, MESSAGE, signature), [false, false], `${name} ${label}`);
    }
  }
});

test('RSA: signature of exactly k bytes; PSS with salt = hash length only; PKCS#1 and PSS not interchangeable', async () => {
  const { privateKey, key } = SIGNERS.RSA;
  for (const name of ['RS256', 'PS256', 'PS512'] as const) {
    const spec = algorithm(name);
    const signature = nodeSign(spec, privateKey, MESSAGE);
    assert.equal(signature.length, 256);
    const table: [label: string, signature: Buffer][] = [
      ['leading zero byte added', Buffer.concat([Buffer.from([0]), signature])],
      ['last byte dropped', signature.subarray(0, -1)],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [label, bad] of table) assert.deepEqual(await bothPaths(spec, key, MESSAGE, bad), [false, false], `${name} ${label}`);
  }
  // A PSS signature with another salt length: valid PSS, but not PS256 (RFC 7518 §3.5).
  const ps256 = algorithm('PS256');
  for (const saltLength of [0, 20, 31, 33, 64]) {
    const signature = nodeSign(ps256, privateKey, MESSAGE, saltLength);
    assert.deepEqual(await bothPaths(ps256, key, MESSAGE, signature), [false, false], `PS256 salt ${saltLength}`);
  }
  const rs256 = nodeSign(algorithm('RS256'), privateKey, MESSAGE);
  assert.deepEqual(await bothPaths(ps256, key, MESSAGE, rs256), [false, false], 'RS256 signature as PS256');
  assert.deepEqual(await bothPaths(algorithm('RS256'), key, MESSAGE, nodeSign(ps256, privateKey, MESSAGE)), [false, false], 'PS256 signature as RS256');
  assert.deepEqual(await bothPaths(algorithm('RS384'), key, MESSAGE, rs256), [false, false], 'RS256 signature as RS384');
});

test('Ed25519: exactly 64 bytes', async () => {
  const spec = algorithm('EdDSA');
  const { privateKey, key } = SIGNERS.Ed25519;
  const signature = nodeSign(spec, privateKey, MESSAGE);
  for (const bad of [signature.subarray(1), Buffer.concat([signature, Buffer.from([0])]), Buffer.alloc(0)]) {
    assert.deepEqual(await bothPaths(spec, key, MESSAGE, bad), [false, false], `length ${bad.length}`);
  }
});

test('never throws: an exception from OpenSSL becomes false', async () => {
  // A hand-made key record that lies about its type reaches crypto.verify with a key OpenSSL cannot use.
  const ec = SIGNERS['P-256'].key;
  const liar: VerificationKey = { ...ec, algorithms: new Set(['RS256', 'EdDSA']), modulusLength: 64 };
  assert.deepEqual(await bothPaths(algorithm('RS256'), liar, MESSAGE, Buffer.alloc(64, 1)), [false, false]);
  assert.deepEqual(await bothPaths(algorithm('EdDSA'), liar, MESSAGE, Buffer.alloc(64, 1)), [false, false]);
});

// signature.ts imports `verify` from node:crypto; replacing the CommonJS export and calling
// syncBuiltinESMExports() rebinds that import, so these tests see every call OpenSSL gets.
async function withVerifySpy(replacement: (original: typeof crypto.verify) => typeof crypto.verify, run: () => Promise<void>): Promise<void> {
  const original = crypto.verify;
  crypto.verify = replacement(original);
  syncBuiltinESMExports();
  try {
    await run();
  } finally {
    crypto.verify = original;
    syncBuiltinESMExports();
  }
}

test('a signature that cannot be valid never reaches OpenSSL (length, r or s = 0, the key\'s algorithms)', async () => {
  let calls = 0;
  await withVerifySpy((original) => ((...args: Parameters<typeof original>) => {
    calls++;
    return (original as (...rest: unknown[]) => unknown)(...args);
  }) as typeof original, async () => {
    const cases: [label: string, name: JwsAlgorithm, key: VerificationKey, signature: Buffer][] = [];
    for (const name of ['ES256', 'ES384', 'ES512'] as const) {
      const spec = algorithm(name);
      const { key } = signerFor(spec);
      assert.equal(spec.family, 'ECDSA');
      const half = spec.family === 'ECDSA' ? spec.signatureLength / 2 : 0;
      const one = Buffer.alloc(half); one[half - 1] = 1;
      cases.push([`${name} r = 0`, name, key, Buffer.concat([Buffer.alloc(half), one])]);
      cases.push([`${name} s = 0`, name, key, Buffer.concat([one, Buffer.alloc(half)])]);
      cases.push([`${name} short`, name, key, Buffer.alloc(2 * half - 1, 1)]);
    }
    cases.push(['RS256 k + 1 bytes', 'RS256', SIGNERS.RSA.key, Buffer.alloc(257, 1)]);
    cases.push(['PS256 k − 1 bytes', 'PS256', SIGNERS.RSA.key, Buffer.alloc(255, 1)]);
    cases.push(['EdDSA 65 bytes', 'EdDSA', SIGNERS.Ed25519.key, Buffer.alloc(65, 1)]);
    cases.push(['EdDSA 63 bytes', 'EdDSA', SIGNERS.Ed25519.key, Buffer.alloc(63, 1)]);
    cases.push(['ES256 with the P-384 key', 'ES256', SIGNERS['P-384'].key, Buffer.alloc(64, 1)]);
    cases.push(['RS256 with the Ed25519 key', 'RS256', SIGNERS.Ed25519.key, Buffer.alloc(64, 1)]);
    for (const [label, name, key, signature] of cases) {
      assert.deepEqual(await bothPaths(algorithm(name), key, MESSAGE, signature), [false, false], label);
      assert.equal(calls, 0, `${label}: crypto.verify was called`);
    }
    // The spy does see a well-formed candidate, on both paths.
    await bothPaths(algorithm('ES256'), SIGNERS['P-256'].key, MESSAGE, Buffer.alloc(64, 1));
    assert.equal(calls, 2);
  });
});

test('an exception or error from crypto.verify is false, on both paths', async () => {
  const spec = algorithm('ES384');
  const { privateKey, key } = SIGNERS['P-384'];
  const good = nodeSign(spec, privateKey, MESSAGE);
  await withVerifySpy(() => (() => { throw new Error('OpenSSL exploded'); }) as unknown as typeof crypto.verify, async () => {
    assert.deepEqual(await bothPaths(spec, key, MESSAGE, good), [false, false]);
  });
  // Off-thread: the callback reports an error together with "true"; an error is never valid.
  await withVerifySpy(() => ((...args: unknown[]) => {
    const callback = args[4] as ((error: Error | null, valid: boolean) => void) | undefined;
    if (callback === undefined) throw new Error('sync path');
    setImmediate(() => callback(new Error('failed'), true));
  }) as unknown as typeof crypto.verify, async () => {
    assert.equal(await verifySignature(onThreadPool(spec), key, MESSAGE, good), false);
  });
});

test('openssl fixtures: each key\'s valid token verifies and its broken signatures do not, on both paths', async (t) => {
  const skip = missingVectors(MANIFEST_FILE, 'fixtures/manifest.json');
  if (skip !== undefined) return t.skip(skip);
  const manifest = loadManifest();
  const keySet = importJwkSet(readJson(fixturePath('jwks.json')));
  const rows: { name: string; expected: unknown; actual: unknown }[] = [];
  for (const entry of manifest.keys) {
    const stem = entry.alg.toLowerCase();
    // valid, tampered and truncated for every key; DER and zero signatures for the ES* keys.
    const suffixes = entry.alg.startsWith('ES')
      ? [['valid', true], ['tampered-signature', false], ['truncated-signature', false], ['der-signature', false], ['zero-signature', false]] as const
      : [['valid', true], ['tampered-signature', false], ['truncated-signature', false]] as const;
    for (const [suffix, expected] of suffixes) {
      const fixture = manifest.cases.find((candidate) => candidate.name === `${stem}/${suffix}`);
      if (fixture === undefined) {
        rows.push({ name: `${stem}/${suffix}`, expected: 'present', actual: 'missing' });
        continue;
      }
      const decoded = decodeCompactJws(fixture.token);
      const key = selectKey(keySet, decoded.algorithm.name, decoded.header.kid);
      const paths = await bothPaths(decoded.algorithm, key, decoded.signingInput, decoded.signature);
      rows.push({ name: fixture.name, expected: { kid: entry.kid, paths: [expected, expected] }, actual: { kid: key.kid, paths } });
    }
    // The openssl SPKI imports to the same key we use.
    const spki = selectKey(keySet, entry.alg as JwsAlgorithm, entry.kid).spkiDer;
    rows.push({ name: `${entry.kid} SPKI`, expected: readFileSync(fixturePath(entry.spki)).toString('hex'), actual: spki.toString('hex') });
  }
  assertAllAsExpected(rows);
});

