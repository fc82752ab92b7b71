// The only caller of crypto.verify, and the one place that decides where the maths runs:
// on the event loop, or on libuv's thread pool for the algorithms whose table row says so
// (src/algorithms.ts). Everything that turns a JWS signature into what OpenSSL expects
// happens here, and every failure is `false`, never an exception.

import { constants, verify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import type { AlgorithmSpec, HashName } from './algorithms.js';
import { ecdsaRawToDer } from './der.js';
import type { VerificationKey } from './jwk.js';

interface PreparedCheck {
  /** null for EdDSA, whose hash is part of the scheme (RFC 8032 §5.1.6). */
  readonly hash: HashName | null;
  readonly key: VerifyKeyObjectInput | KeyObject;
  readonly signature: Uint8Array;
}

/**
 * Whether `signature` is `algorithm`'s signature of `signingInput` under `key`. A plain
 * boolean where the maths runs on the event loop, so that common case costs no extra turn of
 * the microtask queue; a promise where it runs on the thread pool.
 */
export function verifySignature(
  algorithm: AlgorithmSpec, key: VerificationKey, signingInput: Uint8Array, signature: Uint8Array,
): boolean | Promise<boolean> {
  const check = prepare(algorithm, key, signature);
  if (check === null) return false;
  if (algorithm.offThread) return verifyOnThreadPool(check, signingInput);
  try {
    return verify(check.hash, signingInput, check.key, check.signature);
  } catch {
    return false;
  }
}

// The callback form of crypto.verify runs on libuv's thread pool, so the event loop stays
// free while OpenSSL works.
function verifyOnThreadPool(check: PreparedCheck, signingInput: Uint8Array): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      verify(check.hash, signingInput, check.key, check.signature, (error, valid) => resolve(error === null && valid));
    } catch {
      resolve(false);
    }
  });
}

// Returns null when the signature cannot be valid for this algorithm and key, so that
// OpenSSL never sees it.
function prepare(algorithm: AlgorithmSpec, key: VerificationKey, signature: Uint8Array): PreparedCheck | null {
  // The key, not the token, decides what it may verify (RFC 8725 §3.1); selection already
  // enforced this, and it is checked again at the last step before the maths.
  if (!key.algorithms.has(algorithm.name)) return null;
  switch (algorithm.family) {
    case 'ECDSA': {
      // RFC 7518 §3.4: r‖s of exactly the fixed length; DER is what OpenSSL verifies.
      const derSignature = ecdsaRawToDer(signature, algorithm.signatureLength / 2);
      if (derSignature === null) return null;
      return { hash: algorithm.hash, key: { key: key.keyObject, dsaEncoding: 'der' }, signature: derSignature };
    }
    case 'RSASSA-PKCS1-v1_5':
    case 'RSASSA-PSS': {
      // RFC 8017 §8.2.2 step 1 / §8.1.2 step 1: the signature is exactly k bytes long.
      if (signature.length !== key.modulusLength) return null;
      const rsaKey = algorithm.family === 'RSASSA-PSS'
        // RFC 7518 §3.5: MGF1 with the same hash, salt length equal to the hash length.
        ? { key: key.keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength }
        : { key: key.keyObject, padding: constants.RSA_PKCS1_PADDING };
      return { hash: algorithm.hash, key: rsaKey, signature };
    }
    case 'EdDSA':
      // RFC 8037 §3.1, RFC 8032 §5.1.7: Ed25519 hashes internally, so no digest is named.
      if (signature.length !== algorithm.signatureLength) return null;
      return { hash: null, key: key.keyObject, signature };
  }
}
