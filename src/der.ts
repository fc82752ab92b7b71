// The minimal DER writer (ITU-T X.690) that clearjwt needs: enough to build the
// SubjectPublicKeyInfo of a JWK and the Ecdsa-Sig-Value of a JWS signature. Each structure
// below is written as the ASN.1 it encodes, with the definition quoted beside it. Only
// definite-length encodings of universal types exist here.

import type { CurveName } from './algorithms.js';

// X.690 §8.1: identifier, length, contents. §8.1.3: the length in one byte below 128,
// otherwise 0x80|n followed by n big-endian length bytes.
function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const length = contents.reduce((sum, part) => sum + part.length, 0);
  const longForm: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) longForm.unshift(rest & 0xff);
  const header = length < 0x80 ? [tag, length] : [tag, 0x80 | longForm.length, ...longForm];
  return Buffer.concat([Buffer.from(header), ...contents], header.length + length);
}

const ZERO_BYTE = new Uint8Array([0]);

export const sequence = (...elements: Uint8Array[]): Buffer => tlv(0x30, ...elements); // X.690 §8.9
export const nullValue = (): Buffer => tlv(0x05); // X.690 §8.8: no contents
// X.690 §8.6: the first content byte counts unused bits in the last byte; keys are whole bytes.
export const bitString = (bytes: Uint8Array): Buffer => tlv(0x03, ZERO_BYTE, bytes);

// X.690 §8.3: two's complement, minimal length. Our inputs are unsigned big-endian
// magnitudes: strip leading zero bytes, then write one 0x00 first if the top bit is set
// (or if nothing is left: zero is the single byte 0x00).
export function integer(unsignedBigEndian: Uint8Array): Buffer {
  let start = 0;
  while (start < unsignedBigEndian.length && unsignedBigEndian[start] === 0) start++;
  const magnitude = unsignedBigEndian.subarray(start);
  return magnitude.length === 0 || magnitude[0]! >= 0x80 ? tlv(0x02, ZERO_BYTE, magnitude) : tlv(0x02, magnitude);
}

// X.690 §8.19: the first two arcs share one subidentifier (40·a + b); every subidentifier is
// base 128, most significant group first, with the high bit set on all but the last byte.
export function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second, ...rest].flatMap((subidentifier) => {
    const groups = [subidentifier & 0x7f];
    for (let high = Math.floor(subidentifier / 128); high > 0; high = Math.floor(high / 128)) groups.unshift(0x80 | (high & 0x7f));
    return groups;
  });
  return tlv(0x06, Buffer.from(bytes));
}

// SubjectPublicKeyInfo ::= SEQUENCE {                          (RFC 5280 §4.1)
//      algorithm            AlgorithmIdentifier,
//      subjectPublicKey     BIT STRING }
// AlgorithmIdentifier ::= SEQUENCE {
//      algorithm            OBJECT IDENTIFIER,
//      parameters           ANY DEFINED BY algorithm OPTIONAL }
const subjectPublicKeyInfo = (algorithm: string, parameters: Buffer[], subjectPublicKey: Uint8Array): Buffer =>
  sequence(sequence(objectIdentifier(algorithm), ...parameters), bitString(subjectPublicKey));

// RFC 5480 §2.1.1: algorithm id-ecPublicKey; parameters ECParameters ::= CHOICE {
// namedCurve OBJECT IDENTIFIER } (the only choice RFC 5480 allows).
const ID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const NAMED_CURVE: Record<Exclude<CurveName, 'Ed25519'>, string> = {
  'P-256': '1.2.840.10045.3.1.7', // secp256r1
  'P-384': '1.3.132.0.34', // secp384r1
  'P-521': '1.3.132.0.35', // secp521r1
};

/** RFC 5480 §2.2: the key is the ECPoint, uncompressed: 04 ‖ x ‖ y (SEC 1 §2.3.3). */
export function ecSpki(curve: Exclude<CurveName, 'Ed25519'>, x: Uint8Array, y: Uint8Array): Buffer {
  return subjectPublicKeyInfo(ID_EC_PUBLIC_KEY, [objectIdentifier(NAMED_CURVE[curve])], Buffer.concat([Buffer.from([0x04]), x, y]));
}

// RFC 3279 §2.3.1: algorithm rsaEncryption; "the parameters field MUST have ASN.1 type NULL".
// The key: RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

export function rsaSpki(modulus: Uint8Array, publicExponent: Uint8Array): Buffer {
  return subjectPublicKeyInfo(RSA_ENCRYPTION, [nullValue()], sequence(integer(modulus), integer(publicExponent)));
}

// RFC 8410 §3: algorithm id-Ed25519; "the parameters MUST be absent". The key is the 32-byte
// encoded point (§4).
const ID_ED25519 = '1.3.101.112';

export function ed25519Spki(publicKey: Uint8Array): Buffer {
  return subjectPublicKeyInfo(ID_ED25519, [], publicKey);
}

// Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }       (RFC 3279 §2.2.3)
//
// A JWS carries r‖s, each exactly `componentLength` bytes (RFC 7518 §3.4). Anything of
// another length is refused rather than re-padded, and r = 0 or s = 0 is refused here, before
// any library sees it: ECDSA requires 1 ≤ r, s ≤ n−1 (SEC 1 §4.1.4 step 1), and skipping that
// check is CVE-2022-21449 ("psychic signatures"). OpenSSL enforces the upper bound.
export function ecdsaRawToDer(rawSignature: Uint8Array, componentLength: number): Buffer | null {
  if (rawSignature.length !== 2 * componentLength) return null;
  const r = rawSignature.subarray(0, componentLength);
  const s = rawSignature.subarray(componentLength);
  if (r.every((byte) => byte === 0) || s.every((byte) => byte === 0)) return null;
  return sequence(integer(r), integer(s));
}
