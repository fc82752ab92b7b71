// A compact JWS and a source of keys → the verified header and payload. This is the whole
// signature layer: decode, choose the key, check the signature. Claims are the next stage.

import { decodeCompactJws, type DecodeOptions, type JwsHeader } from './jws.js';
import { AuthError, toAuthError } from './errors.js';
import type { VerificationKey } from './jwk.js';
import { selectKey, type KeySet } from './jwks.js';
import { verifySignature, verifySignatureOffThread } from './signature.js';

/** Finds the key for a decoded header: a fixed set, or a cache that may fetch (src/remote). */
export type KeyResolver = (header: JwsHeader) => VerificationKey | Promise<VerificationKey>;

export interface VerifiedJws {
  readonly header: JwsHeader;
  /** The payload bytes, now known to be signed by `key`. */
  readonly payload: Buffer;
  readonly key: VerificationKey;
}

export async function verifyCompactJws(
  token: string, keys: KeySet | KeyResolver, options: DecodeOptions = {},
): Promise<VerifiedJws> {
  try {
    const { header, algorithm, payload, signingInput, signature } = decodeCompactJws(token, options);
    const found = typeof keys === 'function' ? keys(header) : selectKey(keys, algorithm.name, header.kid);
    // A key source that already holds the key answers at once; awaiting only a promise (or
    // any thenable) keeps that common case free of an extra turn of the microtask queue.
    const key = typeof (found as Partial<PromiseLike<VerificationKey>>).then === 'function' ? await found : found as VerificationKey;
    const valid = algorithm.offThread
      ? await verifySignatureOffThread(algorithm, key, signingInput, signature)
      : verifySignature(algorithm, key, signingInput, signature);
    if (!valid) throw new AuthError('auth.jws_signature_invalid');
    return { header, payload, key };
  } catch (error) {
    throw toAuthError(error);
  }
}
