// createVerifier: reads the options once (src/options.ts), then composes the stages of the
// data's one-way path — headers → bearer token → JWS → key → signature → claims → Claims.

import { extractBearerToken, type HeadersInput } from './bearer.js';
import { checkClaims, checkScopes, type ClaimRules, type Claims } from './claims.js';
import { AuthError, toAuthError } from './errors.js';
import type { KeySource, KeySourceSnapshot } from './key-source.js';
import { selectIssuer } from './issuers.js';
import { readCallOptions, readVerifierOptions, type CallSettings, type IssuerSettings, type KeySettings, type VerifierOptions, type VerifyCallOptions } from './options.js';
import { createRemoteKeySource } from './remote/jwks-cache.js';
import { cacheVerifiedTokens, type VerifiedToken } from './token-cache.js';
import type { VerificationKey } from './jwk.js';
import type { DecodeOptions } from './jws.js';
import { isThenable, verifyJws, type VerifiedJws } from './verify-jws.js';

export type { IssuerOptions, VerifierOptions, VerifyCallOptions } from './options.js';

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
  /**
   * The key cache's state, as plain JSON for a health endpoint (KeySource.snapshot): of the
   * one issuer, or, with `issuers`, of the one named (default: the first listed).
   */
  keyCache(issuer?: string): KeySourceSnapshot;
}

/**
 * Creates the verifier for one API: `const verify = createVerifier({ issuer, audience })`,
 * then `const claims = await verify(req.headersDistinct, { scopes: ['read:profile'] })`.
 * Checks every option now and throws a `TypeError` naming a bad one. Keys come from `jwks`,
 * or else from the issuer (OIDC discovery or `jwksUri`, cached).
 */
export function createVerifier<Custom extends object = Record<never, never>>(options: VerifierOptions): Verifier<Custom> {
  const { issuers, decode, realm, resourceMetadata, now, cache } = readVerifierOptions(options);
  const pipelines = createPipelines(issuers, decode);
  const { rules: sharedRules } = issuers[0]!; // time, typ and scope rules: one for all issuers
  const challenge = { realm, resourceMetadata };
  // Every check on the token but the call's scopes: a plain value, or a promise if a stage gave one.
  function verifyToken(token: string, audiences?: readonly string[]): VerifiedToken | Promise<VerifiedToken> {
    const { rules, keySource } = pipelines.forToken(token);
    const callRules = audiences === undefined ? rules : { ...rules, audiences };
    return checkVerifiedClaims(verifyJws(token, keySource.resolveKey, decode), callRules, now);
  }
  // The cache (on unless `cache: false`) wraps verifyToken and adds no checks of its own (src/token-cache.ts).
  const verifyTokenOrHit = cache === undefined ? verifyToken : cacheVerifiedTokens(async (token) => verifyToken(token), {
    ...cache, isCurrent: pipelines.isCurrent, timeRules: sharedRules, now,
  });
  // The one async frame of a verification: it awaits only when a stage answered with a promise.
  async function verifyWithScopes(token: string, call: CallSettings): Promise<Claims<Custom>> {
    try {
      // A call's own audience bypasses the cache: a hit was checked against the configured one.
      const found = call.audiences === undefined ? verifyTokenOrHit(token) : verifyToken(token, call.audiences);
      const verified = isThenable(found) ? await found : found;
      checkScopes(verified.grantedScopes, sharedRules.requiredScopes, call.scopes);
      return verified.claims as Claims<Custom>;
    } catch (error) {
      throw forThisRequest(error, challenge);
    }
  }
  // Not async: the option and header checks reject without an extra promise around the rest.
  function verify(headers: HeadersInput | null | undefined, callOptions?: VerifyCallOptions): Promise<Claims<Custom>> {
    try {
      const call = readCallOptions(callOptions); // a TypeError: the caller's bug, not the client's
      return verifyWithScopes(headerToken(headers, challenge), call);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  const token = async (token: string, callOptions?: VerifyCallOptions): Promise<Claims<Custom>> =>
    verifyWithScopes(token, readCallOptions(callOptions));
  return Object.assign(verify, { token, ready: pipelines.ready, keyCache: pipelines.snapshot });
}

// The claims stage, after the signature: at once, or when a signature on the thread pool has
// answered (the clock is read then, not before).
function checkVerifiedClaims(
  verified: VerifiedJws | Promise<VerifiedJws>, rules: ClaimRules, now: () => number,
): VerifiedToken | Promise<VerifiedToken> {
  if (isThenable(verified)) return verified.then((jws) => checkVerifiedClaims(jws, rules, now));
  const { claims, grantedScopes } = checkClaims(verified.header.typ, verified.payload, rules, now() / 1000);
  return { claims, key: verified.key, grantedScopes };
}

/** What every challenge of this verifier names besides the error (RFC 6750 §3, RFC 9728 §5.1). */
interface Challenge {
  readonly realm: string | undefined;
  readonly resourceMetadata: string | undefined;
}

function headerToken(headers: HeadersInput | null | undefined, challenge: Challenge): string {
  try {
    return extractBearerToken(headers);
  } catch (error) {
    throw forThisRequest(error, challenge);
  }
}

// A fresh error for every request: one failed key fetch is shared by all the requests
// waiting on it, and a framework that decorates errors must not leak between them. Anything
// that is not an AuthError fails closed (toAuthError).
function forThisRequest(error: unknown, { realm, resourceMetadata }: Challenge): AuthError {
  const { code, requiredScopes, retryAfter, cause, detail } = toAuthError(error);
  return new AuthError(code, { requiredScopes, realm, resourceMetadata, retryAfter, cause, detail });
}

interface Pipeline {
  readonly rules: ClaimRules;
  readonly keySource: KeySource;
}

// One pipeline (claim rules and key source) per trusted issuer. With one issuer every token
// goes to it, as before; with several, the token's unverified iss picks one (src/issuers.ts).
function createPipelines(issuers: readonly IssuerSettings[], decode: DecodeOptions) {
  const pipelines: readonly Pipeline[] = issuers.map(({ rules, keys }) => ({ rules, keySource: createKeySource(keys) }));
  const byIssuer = new Map(pipelines.map((pipeline) => [pipeline.rules.issuer, pipeline]));
  return {
    forToken: pipelines.length === 1 ? () => pipelines[0]! : (token: string) => selectIssuer(token, decode, byIssuer),
    isCurrent: (key: VerificationKey) => pipelines.some(({ keySource }) => keySource.isCurrent(key)),
    ready: async (): Promise<void> => { await Promise.all(pipelines.map(({ keySource }) => keySource.ready())); },
    snapshot: (issuer?: string): KeySourceSnapshot => {
      const pipeline = issuer === undefined ? pipelines[0]! : byIssuer.get(issuer);
      if (pipeline === undefined) throw new TypeError(`clearjwt: keyCache: ${JSON.stringify(issuer)} is not a configured issuer`);
      return pipeline.keySource.snapshot();
    },
  };
}

function createKeySource(keys: KeySettings): KeySource {
  return keys.kind === 'static' ? keys.source : createRemoteKeySource(keys.options);
}
