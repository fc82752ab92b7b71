// JWK → KeyObject (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2): every member rule, table-driven,
// and a differential check of our hand-built SPKI against openssl and Node.

import assert from 'node:assert/strict';
import crypto, { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import { AuthError, type AuthErrorCode } from '../src/errors.js';
import { importJwk } from '../src/jwk.js';
import { assertAllAsExpected, assertCode } from './support/outcome.js';
import { fixturePath, loadManifest, MANIFEST_FILE, missingVectors, readJson } from './support/vectors.js';

type Jwk = Record<string, unknown>;

function publicJwk(key: ReturnType<typeof generateKeyPairSync>['publicKey']): Jwk {
  return { ...(key.export({ format: 'jwk' }) as JsonWebKey) } as Jwk;
}

const P256 = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
const P384 = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey);
const P521 = publicJwk(generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey);
const RSA = publicJwk(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
const RSA_E3 = publicJwk(generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).publicKey);
const ED25519 = publicJwk(generateKeyPairSync('ed25519').publicKey);

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const bytes = (text: unknown): Buffer => Buffer.from(text as string, 'base64url');
const without = (jwk: Jwk, member: string): Jwk => {
  const copy = { ...jwk };
  delete copy[member];
  return copy;
};

const refused = (jwk: unknown, code: AuthErrorCode, label: string): void => assertCode(() => importJwk(jwk), code, label);

test('imports well-formed public keys of every supported type', () => {
  const table: [label: string, jwk: Jwk, kty: string, curve: string | null, algorithms: string[]][] = [
    ['P-256', P256, 'EC', 'P-256', ['ES256']],
    ['P-384', P384, 'EC', 'P-384', ['ES384']],
    ['P-521', P521, 'EC', 'P-521', ['ES512']],
    ['RSA', RSA, 'RSA', null, ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']],
    ['RSA e=3', RSA_E3, 'RSA', null, ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']],
    ['Ed25519', ED25519, 'OKP', 'Ed25519', ['EdDSA', 'Ed25519']],
  ];
  for (const [label, jwk, kty, curve, algorithms] of table) {
    const key = importJwk({ ...jwk, kid: `kid-${label}` });
    assert.equal(key.kid, `kid-${label}`);
    assert.equal(key.kty, kty, label);
    assert.equal(key.curve, curve, label);
    assert.deepEqual([...key.algorithms].sort(), [...algorithms].sort(), label);
    assert.deepEqual(key.spkiDer, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ format: 'der', type: 'spki' }), label);
    assert.equal(key.keyObject.type, 'public');
    assert.ok(Object.isFrozen(key), 'Object.isFrozen(key)');
  }
  assert.equal(importJwk(RSA).modulusLength, 256);
  assert.equal(importJwk(P256).modulusLength, null);
  assert.equal(importJwk(P256).kid, undefined);
});

test('refuses values that are not a JSON object', () => {
  for (const value of [null, undefined, 'jwk', 1, [], [P256]]) refused(value, 'auth.jwk_invalid', JSON.stringify(value) ?? 'undefined');
});

test('an array is not a JWK, even one carrying key members', () => {
  refused(Object.assign([], P256), 'auth.jwk_invalid', 'array with EC members');
});

test('members have one spelling: the same bytes in non-canonical base64url are refused (RFC 7515 §2)', () => {
  // Node (and OpenSSL behind it) would import every one of these as the original key.
  const respell = (text: string): string[] => {
    const last = text[text.length - 1]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spellings = [`${text}=`, `${text.slice(0, 4)} ${text.slice(4)}`, `${text}\n`];
    // Set a pad bit of the last character when the length leaves pad bits (not for 4n).
    if (text.length % 4 !== 0) spellings.push(`${text.slice(0, -1)}${alphabet[alphabet.indexOf(last) | 1]!}`);
    return spellings;
  };
  const table: [jwk: Jwk, member: string][] = [[P256, 'x'], [P256, 'y'], [P521, 'x'], [RSA, 'n'], [RSA, 'e'], [ED25519, 'x']];
  for (const [jwk, member] of table) {
    for (const spelling of respell(jwk[member] as string)) {
      assert.deepEqual(Buffer.from(spelling, 'base64url'), bytes(jwk[member]), 'Node decodes the same bytes');
      refused({ ...jwk, [member]: spelling }, 'auth.jwk_invalid', `${String(jwk['kty'])}.${member} as ${JSON.stringify(spelling.slice(-6))}`);
    }
  }
});

test('EC coordinates split at the wrong place are refused, although the point they concatenate to is valid', () => {
  // 04 ‖ x ‖ y is the same 65 bytes when one byte of x moves to y; only the length rule sees it.
  const x = bytes(P256['x']);
  const y = bytes(P256['y']);
  const movedToY = { ...P256, x: b64(x.subarray(0, 31)), y: b64(Buffer.concat([x.subarray(31), y])) };
  const movedToX = { ...P256, x: b64(Buffer.concat([x, y.subarray(0, 1)])), y: b64(y.subarray(1)) };
  refused(movedToY, 'auth.jwk_invalid', 'x 31 bytes, y 33 bytes');
  refused(movedToX, 'auth.jwk_invalid', 'x 33 bytes, y 31 bytes');
});

test('a key of the wrong length never reaches OpenSSL (createPublicKey is not called)', () => {
  const original = crypto.createPublicKey;
  let calls = 0;
  crypto.createPublicKey = ((...args: Parameters<typeof original>) => {
    calls++;
    return original(...args);
  }) as typeof original;
  syncBuiltinESMExports();
  try {
    const x = bytes(P256['x']);
    const y = bytes(P256['y']);
    const edX = bytes(ED25519['x']);
    const table: [label: string, jwk: Jwk][] = [
      ['EC y 33 bytes', { ...P256, y: b64(Buffer.concat([Buffer.from([0]), y])) }],
      ['EC y 31 bytes', { ...P256, y: b64(y.subarray(1)) }],
      ['EC x 33 bytes', { ...P256, x: b64(Buffer.concat([Buffer.from([0]), x])) }],
      ['Ed25519 x 31 bytes', { ...ED25519, x: b64(edX.subarray(1)) }],
      ['Ed25519 x 33 bytes', { ...ED25519, x: b64(Buffer.concat([edX, Buffer.from([0])])) }],
    ];
    for (const [label, jwk] of table) {
      refused(jwk, 'auth.jwk_invalid', label);
      assert.equal(calls, 0, `${label}: createPublicKey was called`);
    }
    importJwk(P256);
    assert.equal(calls, 1, 'the spy sees a well-formed key');
  } finally {
    crypto.createPublicKey = original;
    syncBuiltinESMExports();
  }
});

test('refuses any private member (RFC 7518 §6.2.2, §6.3.2, §6.4.1), whatever its value', () => {
  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
    for (const base of [P256, RSA, ED25519]) {
      refused({ ...base, [member]: 'AQAB' }, 'auth.jwk_private_key', `${String(base['kty'])} with ${member}`);
    }
    refused({ ...P256, [member]: null }, 'auth.jwk_private_key', `${member}: null`);
  }
  refused({ kty: 'oct', k: 'c2VjcmV0' }, 'auth.jwk_private_key', 'symmetric key');
  // A real private JWK exported by Node.
  const privateJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  refused(privateJwk, 'auth.jwk_private_key', 'exported private key');
});

test('use and key_ops must allow verifying signatures (RFC 7517 §4.2, §4.3)', () => {
  const table: [label: string, members: Jwk, expected: AuthErrorCode | 'ok'][] = [
    ['use sig', { use: 'sig' }, 'ok'],
    ['use enc', { use: 'enc' }, 'auth.jwk_not_for_signature'],
    ['use SIG', { use: 'SIG' }, 'auth.jwk_not_for_signature'],
    ['use empty', { use: '' }, 'auth.jwk_not_for_signature'],
    ['use number', { use: 1 }, 'auth.jwk_invalid'],
    ['use array', { use: ['sig'] }, 'auth.jwk_invalid'],
    ['key_ops verify', { key_ops: ['verify'] }, 'ok'],
    ['key_ops verify among others', { key_ops: ['encrypt', 'verify'] }, 'ok'],
    ['key_ops sign only', { key_ops: ['sign'] }, 'auth.jwk_not_for_signature'],
    ['key_ops encrypt', { key_ops: ['encrypt', 'wrapKey'] }, 'auth.jwk_not_for_signature'],
    ['key_ops empty', { key_ops: [] }, 'auth.jwk_not_for_signature'],
    ['key_ops string', { key_ops: 'verify' }, 'auth.jwk_invalid'],
    ['key_ops non-string member', { key_ops: ['verify', 1] }, 'auth.jwk_invalid'],
    ['key_ops null', { key_ops: null }, 'auth.jwk_invalid'],
    // RFC 7517 §4.3: "Duplicate key operation values MUST NOT be present in the array."
    ['key_ops verify twice', { key_ops: ['verify', 'verify'] }, 'auth.jwk_invalid'],
    ['key_ops with another value twice', { key_ops: ['sign', 'verify', 'sign'] }, 'auth.jwk_invalid'],
    ['use sig, key_ops without verify', { use: 'sig', key_ops: ['sign'] }, 'auth.jwk_not_for_signature'],
    ['use enc, key_ops verify', { use: 'enc', key_ops: ['verify'] }, 'auth.jwk_not_for_signature'],
  ];
  for (const [label, members, expected] of table) {
    if (expected === 'ok') assert.doesNotThrow(() => importJwk({ ...P256, ...members }), label);
    else refused({ ...P256, ...members }, expected, label);
  }
});

test('kid, when present, is a string (RFC 7517 §4.5)', () => {
  for (const kid of [1, null, {}, ['a'], true]) refused({ ...P256, kid }, 'auth.jwk_invalid', `kid ${JSON.stringify(kid)}`);
  assert.equal(importJwk({ ...P256, kid: '' }).kid, '');
});

test('kty: supported types only; missing or non-string kty is invalid (RFC 7517 §4.1)', () => {
  const table: [label: string, jwk: unknown, code: AuthErrorCode][] = [
    ['kty oct', { kty: 'oct' }, 'auth.jwk_unsupported'],
    ['kty ec (case)', { ...P256, kty: 'ec' }, 'auth.jwk_unsupported'],
    ['kty AKP', { ...P256, kty: 'AKP' }, 'auth.jwk_unsupported'],
    ['kty empty', { ...P256, kty: '' }, 'auth.jwk_unsupported'],
    ['kty missing', without(P256, 'kty'), 'auth.jwk_invalid'],
    ['kty number', { ...P256, kty: 2 }, 'auth.jwk_invalid'],
    ['kty null', { ...P256, kty: null }, 'auth.jwk_invalid'],
  ];
  for (const [label, jwk, code] of table) refused(jwk, code, label);
});

test('EC: crv, and x and y of exactly the field length (RFC 7518 §6.2.1)', () => {
  const x = bytes(P256['x']);
  const y = bytes(P256['y']);
  const table: [label: string, jwk: unknown, code: AuthErrorCode][] = [
    ['crv secp256k1', { ...P256, crv: 'secp256k1' }, 'auth.jwk_unsupported'],
    ['crv P-256K', { ...P256, crv: 'P-256K' }, 'auth.jwk_unsupported'],
    ['crv Ed25519 on EC', { ...P256, crv: 'Ed25519' }, 'auth.jwk_unsupported'],
    ['crv missing', without(P256, 'crv'), 'auth.jwk_invalid'],
    ['crv number', { ...P256, crv: 256 }, 'auth.jwk_invalid'],
    ['x missing', without(P256, 'x'), 'auth.jwk_invalid'],
    ['y missing', without(P256, 'y'), 'auth.jwk_invalid'],
    ['x empty', { ...P256, x: '' }, 'auth.jwk_invalid'],
    ['x number', { ...P256, x: 1 }, 'auth.jwk_invalid'],
    ['x 31 bytes', { ...P256, x: b64(x.subarray(1)) }, 'auth.jwk_invalid'],
    ['x 33 bytes', { ...P256, x: b64(Buffer.concat([Buffer.from([0]), x])) }, 'auth.jwk_invalid'],
    ['y 31 bytes', { ...P256, y: b64(y.subarray(1)) }, 'auth.jwk_invalid'],
    ['y 33 bytes', { ...P256, y: b64(Buffer.concat([Buffer.from([0]), y])) }, 'auth.jwk_invalid'],
    ['x padded base64', { ...P256, x: `${b64(x.subarray(1))}=` }, 'auth.jwk_invalid'],
    ['x standard alphabet', { ...P256, x: `+${b64(x).slice(1)}` }, 'auth.jwk_invalid'],
    ['x non-canonical last character', { ...P256, x: `${b64(x).slice(0, -1)}${b64(x).endsWith('B') ? 'C' : 'B'}` }, 'auth.jwk_invalid'],
    ['P-256 coordinates labelled P-384', { ...P256, crv: 'P-384' }, 'auth.jwk_invalid'],
    ['P-384 coordinates labelled P-256', { ...P384, crv: 'P-256' }, 'auth.jwk_invalid'],
    ['P-521 coordinates of 65 bytes', { ...P521, x: b64(bytes(P521['x']).subarray(1)) }, 'auth.jwk_invalid'],
  ];
  for (const [label, jwk, code] of table) refused(jwk, code, label);
});

test('EC: a point that is not on the curve is refused (SEC 1 §3.2.2.1)', () => {
  for (const jwk of [P256, P384, P521]) {
    const y = bytes(jwk['y']);
    y[y.length - 1]! ^= 1;
    refused({ ...jwk, y: b64(y) }, 'auth.jwk_invalid', `${String(jwk['crv'])} y + 1`);
    const zero = Buffer.alloc(y.length);
    refused({ ...jwk, x: b64(zero), y: b64(zero) }, 'auth.jwk_invalid', `${String(jwk['crv'])} (0, 0)`);
  }
});

test('RSA: n and e minimal, 2048 ≤ bits ≤ 16384, e odd and ≥ 3 (RFC 7518 §6.3.1, RFC 8017 §3.1)', () => {
  const n = bytes(RSA['n']);
  const table: [label: string, jwk: unknown, code: AuthErrorCode][] = [
    ['n missing', without(RSA, 'n'), 'auth.jwk_invalid'],
    ['e missing', without(RSA, 'e'), 'auth.jwk_invalid'],
    ['n empty', { ...RSA, n: '' }, 'auth.jwk_invalid'],
    ['e number', { ...RSA, e: 65537 }, 'auth.jwk_invalid'],
    // One 0x00 before a first byte ≥ 0x80 is the two's-complement sign octet: accepted below.
    ['n with two leading zero bytes', { ...RSA, n: b64(Buffer.concat([Buffer.from([0, 0]), n])) }, 'auth.jwk_invalid'],
    ['n with a zero byte before a byte < 0x80', { ...RSA, n: b64(Buffer.concat([Buffer.from([0, 0x7f]), n.subarray(1)])) }, 'auth.jwk_invalid'],
    ['e with a leading zero byte', { ...RSA, e: 'AAEAAQ' }, 'auth.jwk_invalid'],
    ['e = 1', { ...RSA, e: 'AQ' }, 'auth.jwk_invalid'],
    ['e = 2', { ...RSA, e: 'Ag' }, 'auth.jwk_invalid'],
    ['e = 0x010000 (even)', { ...RSA, e: 'AQAA' }, 'auth.jwk_invalid'],
    ['e = 2^32 + 1 (five bytes)', { ...RSA, e: 'AQAAAAE' }, 'auth.jwk_invalid'],
    ['n of 2047 bits', { ...RSA, n: b64(Buffer.concat([Buffer.from([0x7f]), n.subarray(1)])) }, 'auth.jwk_rsa_too_small'],
    ['n of 1024 bits', { ...RSA, n: b64(n.subarray(128)) }, 'auth.jwk_rsa_too_small'],
    ['n of one byte', { ...RSA, n: 'AQ' }, 'auth.jwk_rsa_too_small'],
    ['n of 16385 bits', { ...RSA, n: b64(Buffer.concat([Buffer.from([1]), Buffer.alloc(2048, 0xff)])) }, 'auth.jwk_unsupported'],
  ];
  for (const [label, jwk, code] of table) refused(jwk, code, label);
  // RFC 7518 §6.3.1.1 forbids it, but issuers publish it: n with its sign octet names the same
  // key (README, "Deliberate choices").
  assert.equal(n[0]! >= 0x80, true, 'a 2048-bit modulus starts with its top bit set');
  const signed = importJwk({ ...RSA, n: b64(Buffer.concat([Buffer.from([0]), n])) });
  assert.deepEqual(signed.spkiDer, importJwk(RSA).spkiDer);
  assert.equal(signed.modulusLength, 256);
  // The boundaries that pass: e = 3 and e = 2^32 − 1 (four bytes, odd) are accepted.
  assert.doesNotThrow(() => importJwk(RSA_E3));
  assert.doesNotThrow(() => importJwk({ ...RSA, e: '_____w' }));
  // A 1024-bit key generated by openssl (fixtures) would be refused the same way.
  const small = publicJwk(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey);
  refused(small, 'auth.jwk_rsa_too_small', 'generated 1024-bit key');
});

test('OKP: Ed25519 only, x of exactly 32 bytes (RFC 8037 §2, RFC 8032 §5.1.5)', () => {
  const x = bytes(ED25519['x']);
  const table: [label: string, jwk: unknown, code: AuthErrorCode][] = [
    ['crv Ed448', { ...ED25519, crv: 'Ed448' }, 'auth.jwk_unsupported'],
    ['crv X25519', { ...ED25519, crv: 'X25519' }, 'auth.jwk_unsupported'],
    ['crv P-256 on OKP', { ...ED25519, crv: 'P-256' }, 'auth.jwk_unsupported'],
    ['crv missing', without(ED25519, 'crv'), 'auth.jwk_invalid'],
    ['crv number', { ...ED25519, crv: 25519 }, 'auth.jwk_invalid'],
    ['x missing', without(ED25519, 'x'), 'auth.jwk_invalid'],
    ['x 31 bytes', { ...ED25519, x: b64(x.subarray(1)) }, 'auth.jwk_invalid'],
    ['x 33 bytes', { ...ED25519, x: b64(Buffer.concat([x, Buffer.from([0])])) }, 'auth.jwk_invalid'],
  ];
  for (const [label, jwk, code] of table) refused(jwk, code, label);
});

// The eight Ed25519 points of small order as public-key encodings (libsodium's blocklist, with
// each sign bit where both are valid encodings). Node is the oracle that they are dangerous.
const ED25519_SMALL_ORDER: [label: string, hex: string][] = [
  ['identity (y = 1)', `01${'00'.repeat(31)}`],
  ['order 2 (y = p − 1)', `ec${'ff'.repeat(30)}7f`],
  ['order 4 (y = 0, sign 0)', '00'.repeat(32)],
  ['order 4 (y = 0, sign 1)', `${'00'.repeat(31)}80`],
  ['order 8 (y₈, sign 0)', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'],
  ['order 8 (y₈, sign 1)', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85'],
  ['order 8 (p − y₈, sign 0)', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'],
  ['order 8 (p − y₈, sign 1)', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa'],
];

const okp = (hex: string): Jwk => ({ kty: 'OKP', crv: 'Ed25519', x: b64(Buffer.from(hex, 'hex')) });

// Node's own import and verify: does R ‖ S with S = 0 and R one of the small-order points verify
// some random message under this key? Each try succeeds with probability ≥ 1/8 for a
// small-order key, so 64 messages × 8 R leave a chance below 10⁻²⁹ of a false "no".
function nodeAcceptsForgery(jwk: Jwk): boolean {
  const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }); // throws if Node refuses
  const zeroS = Buffer.alloc(32);
  for (let attempt = 0; attempt < 64; attempt++) {
    const message = crypto.randomBytes(32);
    for (const [, rHex] of ED25519_SMALL_ORDER) {
      if (crypto.verify(null, message, key, Buffer.concat([Buffer.from(rHex, 'hex'), zeroS]))) return true;
    }
  }
  return false;
}

test('OKP: an Ed25519 key of small order verifies forgeries in Node, and is refused (libsodium blocklist)', () => {
  for (const [label, hex] of ED25519_SMALL_ORDER) {
    assert.ok(nodeAcceptsForgery(okp(hex)), `${label}: Node imports the key and verifies R = small-order point, S = 0`);
    refused(okp(hex), 'auth.jwk_invalid', label);
    refused({ ...okp(hex), alg: 'EdDSA', use: 'sig', kid: 'k' }, 'auth.jwk_invalid', `${label} with alg/use/kid`);
  }
});

test('OKP: an Ed25519 key with y ≥ p is refused (RFC 8032 §5.1.3), though Node imports it', () => {
  const table: [label: string, hex: string, forgeable: boolean][] = [
    // y = p ≡ 0: a second spelling of the order-4 point, so Node even verifies forgeries with it.
    ['y = p', `ed${'ff'.repeat(30)}7f`, true],
    ['y = p, sign 1', `ed${'ff'.repeat(30)}ff`, true],
    ['y = p + 1 ≡ 1 (identity)', `ee${'ff'.repeat(30)}7f`, true],
    ['y = 2^255 − 1', `${'ff'.repeat(31)}7f`, false],
    ['y = 2^255 − 1, sign 1', 'ff'.repeat(32), false],
  ];
  for (const [label, hex, forgeable] of table) {
    assert.doesNotThrow(() => createPublicKey({ key: okp(hex) as JsonWebKey, format: 'jwk' }), `${label}: Node imports it`);
    if (forgeable) assert.ok(nodeAcceptsForgery(okp(hex)), `${label}: Node verifies a forgery`);
    refused(okp(hex), 'auth.jwk_invalid', label);
  }
  // Boundary: y = p − 2 is canonical and not of small order, so this check does not refuse it.
  assert.doesNotThrow(() => importJwk(okp(`eb${'ff'.repeat(30)}7f`)), 'y = p − 2');
});

test('OKP: ordinary Ed25519 keys (openssl fixture, freshly generated) still import and verify', (t) => {
  const message = crypto.randomBytes(64);
  const generated = generateKeyPairSync('ed25519');
  const fresh = importJwk(publicJwk(generated.publicKey));
  assert.ok(crypto.verify(null, message, fresh.keyObject, crypto.sign(null, message, generated.privateKey)), 'generated key');

  const skip = missingVectors(MANIFEST_FILE, 'fixtures/manifest.json');
  if (skip !== undefined) return t.skip(skip);
  const entry = loadManifest().keys.find((candidate) => candidate.kid === 'eddsa-1');
  assert.ok(entry !== undefined, 'manifest has eddsa-1');
  const jwk = (readJson(fixturePath('jwks.json')) as { keys: Jwk[] }).keys.find((candidate) => candidate['kid'] === 'eddsa-1');
  assert.ok(jwk !== undefined, 'jwks.json has eddsa-1');
  const fixture = importJwk(jwk);
  const privateKey = crypto.createPrivateKey(readFileSync(fixturePath(entry.privateKey)));
  const signature = crypto.sign(null, message, privateKey);
  assert.ok(crypto.verify(null, message, fixture.keyObject, signature), 'fixture eddsa-1');
  assert.ok(!crypto.verify(null, Buffer.concat([message, Buffer.from([0])]), fixture.keyObject, signature), 'and only its message');
});

test('alg pins the key to one algorithm; unknown alg is unsupported; a foreign one is invalid (RFC 7517 §4.4)', () => {
  const pinned: [label: string, jwk: Jwk, alg: string][] = [
    ['P-256 ES256', P256, 'ES256'],
    ['P-384 ES384', P384, 'ES384'],
    ['P-521 ES512', P521, 'ES512'],
    ['RSA RS256', RSA, 'RS256'],
    ['RSA RS512', RSA, 'RS512'],
    ['RSA PS256', RSA, 'PS256'],
    ['RSA PS384', RSA, 'PS384'],
    ['Ed25519 EdDSA', ED25519, 'EdDSA'],
    // RFC 9864 §2.2: the fully-specified name pins to itself; EdDSA tokens then need another key.
    ['Ed25519 Ed25519', ED25519, 'Ed25519'],
  ];
  for (const [label, jwk, alg] of pinned) assert.deepEqual([...importJwk({ ...jwk, alg }).algorithms], [alg], label);

  const refusals: [label: string, jwk: Jwk, alg: unknown, code: AuthErrorCode][] = [
    ['HS256 on RSA', RSA, 'HS256', 'auth.jwk_unsupported'],
    ['none on EC', P256, 'none', 'auth.jwk_unsupported'],
    ['RSA-OAEP on RSA', RSA, 'RSA-OAEP', 'auth.jwk_unsupported'],
    ['ES521 (RFC 7520 typo) on P-521', P521, 'ES521', 'auth.jwk_unsupported'],
    ['es256 (case)', P256, 'es256', 'auth.jwk_unsupported'],
    ['Ed25519 on EC', P256, 'Ed25519', 'auth.jwk_invalid'],
    ['Ed448 (RFC 9864) on OKP', ED25519, 'Ed448', 'auth.jwk_unsupported'],
    ['__proto__', P256, '__proto__', 'auth.jwk_unsupported'],
    ['ES384 on P-256', P256, 'ES384', 'auth.jwk_invalid'],
    ['ES256 on P-521', P521, 'ES256', 'auth.jwk_invalid'],
    ['RS256 on EC', P256, 'RS256', 'auth.jwk_invalid'],
    ['ES256 on RSA', RSA, 'ES256', 'auth.jwk_invalid'],
    ['EdDSA on EC', P256, 'EdDSA', 'auth.jwk_invalid'],
    ['PS256 on OKP', ED25519, 'PS256', 'auth.jwk_invalid'],
    ['alg number', P256, 256, 'auth.jwk_invalid'],
    ['alg null', P256, null, 'auth.jwk_invalid'],
  ];
  for (const [label, jwk, alg, code] of refusals) refused({ ...jwk, alg }, code, label);
});

test('differential: our SPKI for every openssl fixture key equals `openssl pkey -pubout -outform DER` and Node\'s JWK import', (t) => {
  const skip = missingVectors(MANIFEST_FILE, 'fixtures/manifest.json');
  if (skip !== undefined) return t.skip(skip);
  const manifest = loadManifest();
  const jwks = readJson(fixturePath('jwks.json')) as { keys: Jwk[] };
  assert.equal(manifest.keys.length, 10);
  const rows: { name: string; expected: string; actual: string }[] = [];
  for (const entry of manifest.keys) {
    const jwk = jwks.keys.find((candidate) => candidate['kid'] === entry.kid);
    assert.ok(jwk !== undefined, `jwks.json has ${entry.kid}`);
    const opensslDer = readFileSync(fixturePath(entry.spki)).toString('hex');
    const nodes = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ format: 'der', type: 'spki' });
    // The per-algorithm set holds the same key.
    const single = readJson(fixturePath(entry.jwks)) as { keys: Jwk[] };
    rows.push(
      { name: `${entry.alg}: ours vs openssl`, expected: opensslDer, actual: importJwk(jwk).spkiDer.toString('hex') },
      { name: `${entry.alg}: Node vs openssl`, expected: opensslDer, actual: nodes.toString('hex') },
      { name: `${entry.jwks}: ours vs openssl`, expected: opensslDer, actual: importJwk(single.keys[0]).spkiDer.toString('hex') },
    );
  }
  assertAllAsExpected(rows);
});

test('a refused JWK\'s detail names the member and the rule, and never a private member\'s value', () => {
  const detailOf = (jwk: unknown): unknown => {
    try {
      importJwk(jwk);
    } catch (error) {
      assert.ok(error instanceof AuthError, String(error));
      return error.detail;
    }
    return 'valid';
  };
  const table: [label: string, jwk: unknown, detail: unknown][] = [
    ['not an object', [1], { check: 'jwk', member: '(the JWK)', expected: 'JSON object', found: 'array' }],
    ['private d', { ...P256, d: 'c2VjcmV0LXNjYWxhcg' }, { check: 'jwk', member: 'd', expected: 'absent from a public key' }],
    ['kty', { ...P256, kty: 'oct' }, { check: 'jwk', member: 'kty', expected: 'EC, RSA or OKP', found: 'oct' }],
    ['use', { ...P256, use: 'enc' }, { check: 'jwk', member: 'use', expected: 'sig', found: 'enc' }],
    ['crv', { ...P256, crv: 'P-192' }, { check: 'jwk', member: 'crv', expected: 'P-256, P-384 or P-521', found: 'P-192' }],
    ['x not canonical', { ...P256, x: `${P256.x}=` }, { check: 'jwk', member: 'x', expected: 'canonical base64url' }],
    ['x short', { ...P256, x: b64(bytes(P256.x).subarray(1)) }, { check: 'jwk', member: 'x,y', expected: '32 bytes each', found: '31 and 32' }],
    ['alg of another type', { ...P256, alg: 'RS256' }, { check: 'jwk', member: 'alg', expected: 'one of ES256', found: 'RS256' }],
    ['RSA 1024', publicJwk(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey), { check: 'jwk', member: 'n', expected: 'at least 2048 bits', found: 1024 }],
  ];
  for (const [label, jwk, detail] of table) assert.deepEqual(detailOf(jwk), detail, label);
  assert.ok(!JSON.stringify(detailOf({ ...P256, d: 'c2VjcmV0LXNjYWxhcg' })).includes('c2VjcmV0'), 'no private value');
});
