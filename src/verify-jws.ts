// A compact JWS and a source of keys → the verified header and payload. This is the whole
// signature layer: decode, resolve the key, verify. Claims are the next stage.

import { decodeCompactJws, type DecodeOptions, type JwsHeader } from './jws.js';
import { AuthError, toAuthError } from './errors.js';
import type { VerificationKey } from './jwk.js';
import { selectKey, type KeySet } from './jwks.js';
import { verifySignature } from './signature.js';

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
    // Awaiting only a promise (or any thenable) keeps the common case — a key already held, a
    // signature checked on the event loop — free of an extra turn of the microtask queue.
    const found = typeof keys === 'function' ? keys(header) : selectKey(keys, algorithm.name, header.kid);
    const key = isThenable(found) ? await found : found;
    const verdict = verifySignature(algorithm, key, signingInput, signature);
    if (!(typeof verdict === 'boolean' ? verdict : await verdict)) throw new AuthError('auth.jws_signature_invalid');
    return { header, payload, key };
  } catch (error) {
    throw toAuthError(error); // the one conversion: anything unexpected fails closed
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as Partial<PromiseLike<T>>).then === 'function';
}
