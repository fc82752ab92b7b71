// A compact JWS and a source of keys → the verified header and payload. This is the whole
// signature layer: decode, resolve the key, verify. Claims are the next stage.

import { decodeCompactJws, type DecodedJws, type DecodeOptions, type JwsHeader } from './jws.js';
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
    return await verifyJws(token, keys, options);
  } catch (error) {
    throw toAuthError(error); // the one conversion: anything unexpected fails closed
  }
}

/**
 * verifyCompactJws without its promise: a plain value when the key is at hand and the maths
 * runs on the event loop (the common case, no turn of the microtask queue), a promise when
 * the key must be fetched or the signature is checked on the thread pool. Throws rather than
 * rejects for a token refused before that. Errors are not converted: the caller does that once.
 */
export function verifyJws(token: string, keys: KeySet | KeyResolver, options: DecodeOptions): VerifiedJws | Promise<VerifiedJws> {
  const decoded = decodeCompactJws(token, options);
  const found = typeof keys === 'function' ? keys(decoded.header) : selectKey(keys, decoded.algorithm.name, decoded.header.kid);
  return isThenable(found) ? Promise.resolve(found).then((key) => checkSignature(decoded, key)) : checkSignature(decoded, found);
}

function checkSignature(decoded: DecodedJws, key: VerificationKey): VerifiedJws | Promise<VerifiedJws> {
  const verdict = verifySignature(decoded.algorithm, key, decoded.signingInput, decoded.signature);
  return typeof verdict === 'boolean' ? accept(decoded, key, verdict) : verdict.then((valid) => accept(decoded, key, valid));
}

function accept({ header, payload }: DecodedJws, key: VerificationKey, valid: boolean): VerifiedJws {
  if (!valid) throw new AuthError('auth.jws_signature_invalid', { detail: { check: 'signature', alg: header.alg, kid: header.kid } });
  return { header, payload, key };
}

export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as Partial<PromiseLike<T>>).then === 'function';
}
