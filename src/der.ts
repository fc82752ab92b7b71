// The minimal DER writer (ITU-T X.690) that clearjwt needs: enough to build the
// SubjectPublicKeyInfo of a JWK and the Ecdsa-Sig-Value of a JWS signature, each written
// as the ASN.1 it encodes. Only definite-length, primitive-or-SEQUENCE encodings exist here.

import type { CurveName } from './algorithms.js';

// X.690 §8.1.3: short form below 128, otherwise 0x80|n followed by n big-endian length bytes.
function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

// X.690 §8.1.1: identifier, length, contents. The contents come in parts and are written
// into one buffer (a JWS signature is converted on every ECDSA verification).
function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  let contentLength = 0;
  for (const part of contents) contentLength += part.length;
  const length = encodeLength(contentLength);
  const encoding = Buffer.allocUnsafe(1 + length.length + contentLength);
  encoding[0] = tag;
  encoding.set(length, 1);
  let offset = 1 + length.length;
  for (const part of contents) {
    encoding.set(part, offset);
    offset += part.length;
  }
  return encoding;
}

const ZERO_BYTE = new Uint8Array([0]);

export function sequence(...elements: Uint8Array[]): Buffer {
  return tlv(0x30, ...elements);
}

// X.690 §8.3: two's complement, minimal length. Our inputs are unsigned big-endian
// magnitudes, so strip leading zero bytes, then prepend one 0x00 if the top bit is set.
export function integer(unsignedBigEndian: Uint8Array): Buffer {
  let start = 0;
  while (start < unsignedBigEndian.length && unsignedBigEndian[start] === 0) start++;
  const magnitude = unsignedBigEndian.subarray(start);
  if (magnitude.length === 0) return tlv(0x02, ZERO_BYTE);
  const needsSignByte = (magnitude[0]! & 0x80) !== 0;
  return needsSignByte ? tlv(0x02, ZERO_BYTE, magnitude) : tlv(0x02, magnitude);
}

// X.690 §8.6: the first content byte counts unused bits in the last byte; keys are whole bytes.
export function bitString(bytes: Uint8Array): Buffer {
  return tlv(0x03, ZERO_BYTE, bytes);
}

export function nullValue(): Buffer {
  return Buffer.from([0x05, 0x00]);
}

// X.690 §8.19: the first two arcs share one subidentifier (40·a + b); every subidentifier is
// base 128, most significant group first, with the high bit set on all but the last byte.
export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const subidentifiers = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  const bytes: number[] = [];
  for (const value of subidentifiers) {
    const groups = [value & 0x7f];
    for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) groups.unshift(0x80 | (rest & 0x7f));
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

// SubjectPublicKeyInfo  ::=  SEQUENCE  {                      (RFC 5280 §4.1)
//      algorithm            AlgorithmIdentifier,
//      subjectPublicKey     BIT STRING  }
// AlgorithmIdentifier  ::=  SEQUENCE  {
//      algorithm               OBJECT IDENTIFIER,
//      parameters              ANY DEFINED BY algorithm OPTIONAL  }
function subjectPublicKeyInfo(algorithmIdentifier: Buffer, subjectPublicKey: Uint8Array): Buffer {
  return sequence(algorithmIdentifier, bitString(subjectPublicKey));
}

// RFC 5480 §2.1.1: id-ecPublicKey with the namedCurve OID as parameters.
const ID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const NAMED_CURVE_OIDS: Record<Exclude<CurveName, 'Ed25519'>, string> = {
  'P-256': '1.2.840.10045.3.1.7', // secp256r1
  'P-384': '1.3.132.0.34', // secp384r1
  'P-521': '1.3.132.0.35', // secp521r1
};

/** ECPoint, uncompressed form 04‖x‖y (RFC 5480 §2.2, SEC 1 §2.3.3). */
export function ecSpki(curve: Exclude<CurveName, 'Ed25519'>, x: Uint8Array, y: Uint8Array): Buffer {
  const point = Buffer.concat([Buffer.from([0x04]), x, y]);
  return subjectPublicKeyInfo(sequence(objectIdentifier(ID_EC_PUBLIC_KEY), objectIdentifier(NAMED_CURVE_OIDS[curve])), point);
}

// RFC 3279 §2.3.1: rsaEncryption with NULL parameters, and the key as
// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

export function rsaSpki(modulus: Uint8Array, publicExponent: Uint8Array): Buffer {
  const rsaPublicKey = sequence(integer(modulus), integer(publicExponent));
  return subjectPublicKeyInfo(sequence(objectIdentifier(RSA_ENCRYPTION), nullValue()), rsaPublicKey);
}

// RFC 8410 §3: id-Ed25519, parameters absent; the key is the 32-byte encoded point.
const ID_ED25519 = '1.3.101.112';

export function ed25519Spki(publicKey: Uint8Array): Buffer {
  return subjectPublicKeyInfo(sequence(objectIdentifier(ID_ED25519)), publicKey);
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
  if (isZero(r) || isZero(s)) return null;
  return sequence(integer(r), integer(s));
}

function isZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}
