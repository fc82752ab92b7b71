// One public JWK (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2) → a Node KeyObject, validated
// member by member and imported from a DER SubjectPublicKeyInfo we build ourselves.
//
// The key decides which algorithms it may verify (its type and curve, narrowed by its own
// `alg` if it has one), so a token can never choose how its key is used.

import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  algorithmsForKey, EC_COORDINATE_LENGTHS, getAlgorithm, RSA_KEY_BOUNDS,
  type CurveName, type JwsAlgorithm, type KeyType,
} from './algorithms.js';
import { decodeCanonicalBase64url } from './base64url.js';
import { ecSpki, ed25519Spki, rsaSpki } from './der.js';
import { AuthError, type AuthErrorCode } from './errors.js';
import { isPlainObject, jsonType, own } from './json.js';

export interface VerificationKey {
  readonly kid: string | undefined;
  readonly kty: KeyType;
  readonly curve: CurveName | null;
  /** What this key may verify: the algorithms of its type and curve, or only its JWK `alg`. */
  readonly algorithms: ReadonlySet<JwsAlgorithm>;
  readonly keyObject: KeyObject;
  /** RSA only: the modulus length in bytes, which is the exact signature length (RFC 8017 §8.2.2). */
  readonly modulusLength: number | null;
  /** The DER SubjectPublicKeyInfo the KeyObject was imported from. */
  readonly spkiDer: Buffer;
}

// RFC 7518 §6.2.2, §6.3.2, RFC 8037 §2: members that only a private key has. `k` is the
// symmetric secret of kty "oct" (RFC 7518 §6.4.1). A set that publishes any of them is
// leaking secrets, and we refuse to treat such a key as a public one.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

const ED25519_KEY_LENGTH = 32; // RFC 8032 §5.1.5

export function importJwk(jwk: unknown): VerificationKey {
  if (!isPlainObject(jwk)) throw jwkError('auth.jwk_invalid', '(the JWK)', 'JSON object', jsonType(jwk));
  for (const member of PRIVATE_MEMBERS) {
    if (Object.hasOwn(jwk, member)) throw jwkError('auth.jwk_private_key', member, 'absent from a public key');
  }
  const kid = optionalString(jwk, 'kid');
  checkIntendedUse(jwk);

  const kty = own(jwk, 'kty');
  let imported: ImportedKey;
  if (kty === 'EC') imported = importEc(jwk);
  else if (kty === 'RSA') imported = importRsa(jwk);
  else if (kty === 'OKP') imported = importOkp(jwk);
  else if (typeof kty === 'string') throw jwkError('auth.jwk_unsupported', 'kty', 'EC, RSA or OKP', kty);
  else throw jwkError('auth.jwk_invalid', 'kty', 'string', jsonType(kty));

  const algorithms = permittedAlgorithms(kty, imported.curve, own(jwk, 'alg'));
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: imported.spkiDer, format: 'der', type: 'spki' });
  } catch (cause) {
    // OpenSSL refuses EC points that are not on the named curve here (SEC 1 §3.2.2.1).
    throw new AuthError('auth.jwk_invalid', { cause, detail: { check: 'jwk', member: 'x,y', expected: 'a point on the curve' } });
  }
  return Object.freeze({ kid, kty, ...imported, algorithms, keyObject });
}

// RFC 7517 §4.2 / §4.3: a key marked for another purpose must not verify signatures.
function checkIntendedUse(jwk: Record<string, unknown>): void {
  const use = optionalString(jwk, 'use');
  if (use !== undefined && use !== 'sig') throw jwkError('auth.jwk_not_for_signature', 'use', 'sig', use);
  const keyOps = own(jwk, 'key_ops');
  if (keyOps === undefined) return;
  if (!Array.isArray(keyOps) || !keyOps.every((op) => typeof op === 'string')) throw jwkError('auth.jwk_invalid', 'key_ops', 'array of strings');
  // RFC 7517 §4.3: "Duplicate key operation values MUST NOT be present in the array."
  if (new Set(keyOps).size !== keyOps.length) throw jwkError('auth.jwk_invalid', 'key_ops', 'no repeated value');
  if (!keyOps.includes('verify')) throw jwkError('auth.jwk_not_for_signature', 'key_ops', 'includes "verify"');
}

// RFC 7517 §4.4: `alg` names the one algorithm the key is meant for. An `alg` we do not
// support (an encryption algorithm, or a made-up one) makes the key unusable rather than
// silently ignored.
function permittedAlgorithms(kty: KeyType, curve: CurveName | null, alg: unknown): ReadonlySet<JwsAlgorithm> {
  const byKeyType = algorithmsForKey(kty, curve);
  if (alg === undefined) return new Set(byKeyType);
  if (typeof alg !== 'string') throw jwkError('auth.jwk_invalid', 'alg', 'string', jsonType(alg));
  const spec = getAlgorithm(alg);
  if (spec === undefined) throw jwkError('auth.jwk_unsupported', 'alg', 'a supported JWS algorithm', alg);
  if (!byKeyType.includes(spec.name)) throw jwkError('auth.jwk_invalid', 'alg', `one of ${byKeyType.join(', ')}`, alg);
  return new Set([spec.name]);
}

interface ImportedKey {
  readonly curve: CurveName | null;
  readonly spkiDer: Buffer;
  readonly modulusLength: number | null;
}

// RFC 7518 §6.2.1: crv, x, y.
function importEc(jwk: Record<string, unknown>): ImportedKey {
  const curve = own(jwk, 'crv');
  if (curve !== 'P-256' && curve !== 'P-384' && curve !== 'P-521') {
    throw jwkError(typeof curve === 'string' ? 'auth.jwk_unsupported' : 'auth.jwk_invalid', 'crv', 'P-256, P-384 or P-521', String(curve));
  }
  const x = requiredBytes(jwk, 'x');
  const y = requiredBytes(jwk, 'y');
  // RFC 7518 §6.2.1.2: each coordinate is exactly the curve's field size in bytes.
  const length = EC_COORDINATE_LENGTHS[curve];
  if (x.length !== length || y.length !== length) throw jwkError('auth.jwk_invalid', 'x,y', `${length} bytes each`, `${x.length} and ${y.length}`);
  return { curve, spkiDer: ecSpki(curve, x, y), modulusLength: null };
}

// RFC 7518 §6.3.1: n and e, unsigned big-endian, "the minimum number of octets needed".
function importRsa(jwk: Record<string, unknown>): ImportedKey {
  const modulus = withoutSignOctet(requiredBytes(jwk, 'n'));
  const exponent = requiredBytes(jwk, 'e');
  if (modulus[0] === 0 || exponent[0] === 0) throw jwkError('auth.jwk_invalid', 'n,e', 'no leading zero octet');
  const bits = (modulus.length - 1) * 8 + (32 - Math.clz32(modulus[0]!)); // modulus[0] ≠ 0: checked above
  if (bits < RSA_KEY_BOUNDS.minModulusBits) throw jwkError('auth.jwk_rsa_too_small', 'n', `at least ${RSA_KEY_BOUNDS.minModulusBits} bits`, bits);
  if (bits > RSA_KEY_BOUNDS.maxModulusBits) throw jwkError('auth.jwk_unsupported', 'n', `at most ${RSA_KEY_BOUNDS.maxModulusBits} bits`, bits);
  // RFC 8017 §3.1: 3 ≤ e ≤ n − 1, and e is odd (RSA_KEY_BOUNDS says why).
  const lastByte = exponent[exponent.length - 1]!;
  if (exponent.length > RSA_KEY_BOUNDS.maxExponentBytes || (lastByte & 1) === 0
    || (exponent.length === 1 && lastByte < RSA_KEY_BOUNDS.minExponent)) {
    throw jwkError('auth.jwk_invalid', 'e', `odd, at least ${RSA_KEY_BOUNDS.minExponent}, at most ${RSA_KEY_BOUNDS.maxExponentBytes} bytes`);
  }
  return { curve: null, spkiDer: rsaSpki(modulus, exponent), modulusLength: modulus.length };
}

// RFC 8037 §2: crv and x. Only Ed25519 signs JWS here (Ed448 and X25519/X448 are refused).
function importOkp(jwk: Record<string, unknown>): ImportedKey {
  const curve = own(jwk, 'crv');
  if (curve !== 'Ed25519') throw jwkError(typeof curve === 'string' ? 'auth.jwk_unsupported' : 'auth.jwk_invalid', 'crv', 'Ed25519', String(curve));
  const x = requiredBytes(jwk, 'x');
  if (x.length !== ED25519_KEY_LENGTH) throw jwkError('auth.jwk_invalid', 'x', `${ED25519_KEY_LENGTH} bytes`, x.length);
  // Node imports both kinds of key refused below; like an off-curve EC point, a hostile
  // or broken key set must not hand us a key that verifies forgeries.
  // RFC 8032 §5.1.3: "If the resulting value is >= p, decoding fails."
  const y = ed25519Y(x);
  if (y >= ED25519_P) throw jwkError('auth.jwk_invalid', 'x', 'y < p (RFC 8032 §5.1.3)');
  // Verification checks [S]B = R + [k]A without multiplying by the cofactor 8 (Node/OpenSSL).
  // When A has small order, −[k]A is one of the eight small-order points, so R = that point
  // and S = 0 verify for any message with probability ≥ 1/8 — always, for the identity.
  if (ED25519_SMALL_ORDER_Y.has(y)) throw jwkError('auth.jwk_invalid', 'x', 'a point not of small order');
  return { curve, spkiDer: ed25519Spki(x), modulusLength: null };
}

// RFC 8032 §5.1.2: the public key is y, 32 bytes little-endian, with x's sign in the top bit.
function ed25519Y(encoding: Uint8Array): bigint {
  let y = 0n;
  for (let i = encoding.length - 1; i >= 0; i--) y = (y << 8n) | BigInt(encoding[i]!);
  return y & ((1n << 255n) - 1n); // clear the sign bit of x
}

const ED25519_P = 2n ** 255n - 19n; // RFC 8032 §5.1

// The y of the eight points of order 1, 2, 4 and 8 (libsodium's blocklist), each with either
// sign bit: y = 1 the identity, y = p − 1 order 2, y = 0 order 4, and ±y₈ order 8 (the two
// values sum to p). x = 0 only when y = ±1, so this also covers RFC 8032 §5.1.3's refusal
// of x = 0 with sign bit 1.
const ED25519_SMALL_ORDER_Y: ReadonlySet<bigint> = new Set([
  0n, 1n, ED25519_P - 1n,
  ed25519Y(Buffer.from('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'hex')),
  ed25519Y(Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex')),
]);

// RFC 7518 §6.3.1.1 forbids a leading zero octet in n, but some issuers publish one: the
// two's-complement form (a DER INTEGER, Java's BigInteger.toByteArray) adds 0x00 before a
// first byte ≥ 0x80 so the number reads as positive. It names the same key, so exactly that
// one octet is dropped; any other leading zero is still refused by the caller.
function withoutSignOctet(modulus: Buffer): Buffer {
  return modulus.length > 1 && modulus[0] === 0 && modulus[1]! >= 0x80 ? modulus.subarray(1) : modulus;
}

function requiredBytes(jwk: Record<string, unknown>, member: string): Buffer {
  const text = own(jwk, member);
  const bytes = typeof text === 'string' && text.length > 0 ? decodeCanonicalBase64url(text) : undefined;
  if (bytes === undefined) throw jwkError('auth.jwk_invalid', member, 'canonical base64url');
  return bytes;
}

function optionalString(jwk: Record<string, unknown>, member: string): string | undefined {
  const value = own(jwk, member);
  if (value !== undefined && typeof value !== 'string') throw jwkError('auth.jwk_invalid', member, 'string', jsonType(value));
  return value;
}

// JWKs here are public keys: member names and public values may be logged. A private
// member's value never is (only its name).
const jwkError = (code: AuthErrorCode, member: string, expected: string, found?: string | number): AuthError =>
  new AuthError(code, { detail: found === undefined ? { check: 'jwk', member, expected } : { check: 'jwk', member, expected, found } });
