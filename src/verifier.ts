// createVerifier: reads the options once (src/options.ts), then composes the stages of the
// data's one-way path — headers → bearer token → JWS → key → signature → claims → Claims.

import { extractBearerToken, type HeadersInput } from './bearer.js';
import { checkClaims, checkScopes, type ClaimRules, type Claims } from './claims.js';
import { AuthError, toAuthError } from './errors.js';
import type { KeySource, KeySourceSnapshot } from './key-source.js';
import { readCallOptions, readVerifierOptions, type KeySettings, type VerifierOptions, type VerifyCallOptions } from './options.js';
import { createRemoteKeySource } from './remote/jwks-cache.js';
import { cacheVerifiedTokens, type VerifiedToken } from './token-cache.js';
import { isThenable, verifyJws, type VerifiedJws } from './verify-jws.js';

export type { VerifierOptions, VerifyCallOptions } from './options.js';

/**
 * The function `createVerifier` returns. Call it with a request's headers; it resolves to the
 * verified claims or rejects with an `AuthError` (never anything else for bad input).
 */
export interface Verifier<Custom extends object = Record<never, never>> {
  /** The claims of the request's Bearer token, after every check; rejects with an AuthError. */
  (headers: HeadersInput | null | undefined, options?: VerifyCallOptions): Promise<Claims<Custom>>;
  /** The same checks on a token taken from elsewhere (a cookie, a WebSocket message): every stage after the header. */
  token(token: string, options?: VerifyCallOptions): Promise<Claims<Custom>>;
  /** Loads the keys now, so a misconfigured issuer fails at boot rather than on a request. */
  ready(): Promise<void>;
  /** The key cache's state, as plain JSON for a health endpoint (KeySource.snapshot). */
  keyCache(): KeySourceSnapshot;
}

/**
 * Creates the verifier for one API: `const verify = createVerifier({ issuer, audience })`,
 * then `const claims = await verify(req.headersDistinct, { scopes: ['read:profile'] })`.
 * Checks every option now and throws a `TypeError` naming a bad one. Keys come from `jwks`,
 * or else from the issuer (OIDC discovery or `jwksUri`, cached).
 */
export function createVerifier<Custom extends object = Record<never, never>>(options: VerifierOptions): Verifier<Custom> {
  const { rules, decode, realm, now, keys, cache } = readVerifierOptions(options);
  const keySource = createKeySource(keys);
  // Every check on the token but the call's scopes: a plain value, or a promise if a stage gave one.
  const checkVerified = (jws: VerifiedJws): VerifiedToken => checkVerifiedClaims(jws, rules, now() / 1000);
  function verifyToken(token: string): VerifiedToken | Promise<VerifiedToken> {
    const verified = verifyJws(token, keySource.resolveKey, decode);
    return isThenable(verified) ? verified.then(checkVerified) : checkVerified(verified);
  }
  // The cache (on unless `cache: false`) wraps verifyToken and adds no checks of its own (src/token-cache.ts).
  const verifyTokenOrHit = cache === undefined ? verifyToken : cacheVerifiedTokens(async (token) => verifyToken(token), {
    ...cache, isCurrent: (key) => keySource.isCurrent(key), timeRules: rules, now,
  });
  // The one async frame of a verification: it awaits only when a stage answered with a promise.
  async function verifyWithScopes(token: string, scopes: readonly string[]): Promise<Claims<Custom>> {
    try {
      const found = verifyTokenOrHit(token);
      const verified = isThenable(found) ? await found : found;
      checkScopes(verified.grantedScopes, rules.requiredScopes, scopes);
      return verified.claims as Claims<Custom>;
    } catch (error) {
      throw forThisRequest(error, realm);
    }
  }
  // Not async: the option and header checks reject without an extra promise around the rest.
  function verify(headers: HeadersInput | null | undefined, callOptions?: VerifyCallOptions): Promise<Claims<Custom>> {
    let scopes: readonly string[];
    let token: string;
    try {
      scopes = readCallOptions(callOptions); // a TypeError: the caller's bug, not the client's
      token = headerToken(headers, realm);
    } catch (error) {
      return Promise.reject(error);
    }
    return verifyWithScopes(token, scopes);
  }
  const token = async (token: string, callOptions?: VerifyCallOptions): Promise<Claims<Custom>> =>
    verifyWithScopes(token, readCallOptions(callOptions));
  return Object.assign(verify, { token, ready: () => keySource.ready(), keyCache: () => keySource.snapshot() });
}

function checkVerifiedClaims({ header, payload, key }: VerifiedJws, rules: ClaimRules, nowSeconds: number): VerifiedToken {
  const { claims, grantedScopes } = checkClaims(header.typ, payload, rules, nowSeconds);
  return { claims, key, grantedScopes };
}

function headerToken(headers: HeadersInput | null | undefined, realm: string | undefined): string {
  try {
    return extractBearerToken(headers);
  } catch (error) {
    throw forThisRequest(error, realm);
  }
}

// A fresh error for every request: one failed key fetch is shared by all the requests
// waiting on it, and a framework that decorates errors must not leak between them. Anything
// that is not an AuthError fails closed (toAuthError).
function forThisRequest(error: unknown, realm: string | undefined): AuthError {
  const { code, requiredScopes, retryAfter, cause, detail } = toAuthError(error);
  return new AuthError(code, { requiredScopes, realm, retryAfter, cause, detail });
}

function createKeySource(keys: KeySettings): KeySource {
  return keys.kind === 'static' ? keys.source : createRemoteKeySource(keys.options);
}
