// createVerifier: validates the options once, then composes the stages of the data's
// one-way path — headers → bearer token → JWS → key → signature → claims → Claims.

import { getAlgorithm, SUPPORTED_ALGORITHMS, type JwsAlgorithm } from './algorithms.js';
import { extractBearerToken, type HeadersInput } from './bearer.js';
import {
  checkParsedClaims, checkScopes, checkType, grantedScopes, normalizeMediaType, parseClaims,
  type ClaimRules, type Claims,
} from './claims.js';
import { AuthError, toAuthError } from './errors.js';
import type { KeySet } from './jwks.js';
import { DEFAULT_MAX_TOKEN_LENGTH, type DecodeOptions } from './jws.js';
import { createStaticKeySource, type KeySource } from './key-source.js';
import { createRemoteKeySource, type RemoteKeyEvent } from './remote/jwks-cache.js';
import { cacheVerifiedTokens, readTokenCacheOptions, type TokenCacheOptions, type VerifiedToken } from './token-cache.js';
import { verifyCompactJws } from './verify-jws.js';

export interface VerifierOptions {
  /** Exact `iss` value (Logto: `https://<tenant>.logto.app/oidc`); also where discovery starts. */
  readonly issuer: string;
  /** This API's identifier(s) (Logto: the API resource indicator); `aud` must contain one. */
  readonly audience: string | readonly string[];
  /** A static JWK Set (fully offline). Without it, keys are found by discovery or `jwksUri`. */
  readonly jwks?: unknown;
  /** The JWK Set URL; skips OIDC discovery. https only (http for loopback hosts). */
  readonly jwksUri?: string;
  /** Tuning of the remote key cache (milliseconds and bytes); see README "Remote keys". */
  readonly jwksCache?: {
    readonly timeoutMs?: number;
    readonly maxResponseBytes?: number;
    readonly maxAgeMs?: number;
    readonly cooldownMs?: number;
    readonly maxStaleMs?: number;
  };
  /** Told about key fetches, refreshes, failures and skipped keys; never sees a token. */
  readonly onEvent?: (event: RemoteKeyEvent) => void;
  /** Accepted algorithms; default every supported asymmetric one. */
  readonly algorithms?: readonly JwsAlgorithm[];
  /** Scopes every call requires (RBAC). */
  readonly requiredScopes?: readonly string[];
  /** Seconds of clock skew forgiven on exp, nbf and iat. Default 5, at most 300. */
  readonly clockTolerance?: number;
  /** Refuse tokens whose iat is more than this many seconds ago. Default: no limit. */
  readonly maxTokenAge?: number;
  /** Expected header `typ`, e.g. "at+jwt" (RFC 9068). Default: not checked. */
  readonly typ?: string;
  /** Longest accepted token, in characters. Default 16384. */
  readonly maxTokenLength?: number;
  /** The realm in WWW-Authenticate challenges. Default "api". */
  readonly realm?: string;
  /** The clock, in milliseconds since the epoch (tests). Default Date.now. */
  readonly now?: () => number;
  /**
   * Opt-in cache of verified tokens, at most `max` (1 to 1,000,000) entries, least recently
   * used dropped first; hits re-check time, key and scopes (src/token-cache.ts). With it,
   * returned claims are frozen: hits share one object. Default: no cache.
   */
  readonly cache?: TokenCacheOptions;
}

export interface VerifyCallOptions {
  /** Scopes this route requires, on top of `requiredScopes`. */
  readonly scopes?: readonly string[];
}

export interface Verifier<Custom extends object = Record<never, never>> {
  (headers: HeadersInput | null | undefined, options?: VerifyCallOptions): Promise<Claims<Custom>>;
  /** The same checks for a token already taken out of its header (a CLI, a message queue). */
  token(token: string, options?: { scopes?: readonly string[] }): Promise<Claims<Custom>>;
  /** Loads the keys now, so a misconfigured issuer fails at boot rather than on a request. */
  ready(): Promise<void>;
}

export const DEFAULT_CLOCK_TOLERANCE = 5;
const MAX_CLOCK_TOLERANCE = 300;

export function createVerifier<Custom extends object = Record<never, never>>(options: VerifierOptions): Verifier<Custom> {
  if (typeof options !== 'object' || options === null) throw new TypeError('createVerifier: options must be an object');
  const rules = claimRules(options);
  const algorithms = allowedAlgorithms(options.algorithms);
  const decodeOptions: DecodeOptions = {
    algorithms,
    maxTokenLength: positiveInteger(options.maxTokenLength, 'maxTokenLength') ?? DEFAULT_MAX_TOKEN_LENGTH,
  };
  const expectedType = optionalNonEmptyString(options.typ, 'typ');
  const normalizedType = expectedType === undefined ? undefined : normalizeMediaType(expectedType);
  const realm = optionalNonEmptyString(options.realm, 'realm');
  if (realm !== undefined && !/^[\x20-\x7e]*$/.test(realm)) throw new TypeError('createVerifier: realm must be printable ASCII');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('createVerifier: now must be a function');
  const keySource = createKeySource(options, now);
  const cacheOptions = readTokenCacheOptions(options.cache);

  // Every check on the token itself; only the per-call scopes are left for `verify`.
  async function verifyToken(token: string): Promise<VerifiedToken> {
    const { header, payload, key } = await verifyCompactJws(token, keySource.resolveKey, decodeOptions);
    checkType(header.typ, normalizedType);
    const claims = parseClaims(payload);
    checkParsedClaims(claims, rules, now() / 1000);
    return { claims, key, grantedScopes: grantedScopes(claims) };
  }
  // The opt-in cache wraps verifyToken and adds no checks of its own (src/token-cache.ts).
  const verifyTokenOrHit = cacheOptions === undefined ? verifyToken : cacheVerifiedTokens(verifyToken, {
    max: cacheOptions.max, isCurrent: (key) => keySource.isCurrent(key), timeRules: rules, now,
  });

  async function verify(headers: HeadersInput | null | undefined, callOptions?: VerifyCallOptions): Promise<Claims<Custom>> {
    // A malformed `scopes` is the caller's bug, not the client's: reported as such, never
    // guessed at (a string would otherwise be spread into one-letter scopes).
    const scopes = callOptions?.scopes;
    if (scopes !== undefined && !isScopeList(scopes)) throw new TypeError('verify: scopes must be an array of scope tokens');
    try {
      const token = extractBearerToken(headers);
      const verified = await verifyTokenOrHit(token);
      checkScopes(verified.grantedScopes, rules.requiredScopes, scopes);
      return verified.claims as Claims<Custom>;
    } catch (error) {
      // A fresh error for every request: one failed key fetch is shared by all the requests
      // waiting on it, and a framework that decorates errors must not leak between them.
      const { code, requiredScopes, cause } = toAuthError(error);
      throw new AuthError(code, { requiredScopes, realm, cause });
    }
  }
  // Interim shim (issue 10 brings the core's own raw-token entry point): the token as the
  // Bearer credentials of a header, so every check is the one `verify` runs.
  const verifyRawToken = (token: string, callOptions?: VerifyCallOptions): Promise<Claims<Custom>> =>
    verify({ authorization: `Bearer ${token}` }, callOptions);
  return Object.assign(verify, { ready: () => keySource.ready(), token: verifyRawToken });
}

// A static set is used as given; otherwise the issuer's keys are found and cached remotely.
function createKeySource(options: VerifierOptions, now: () => number): KeySource {
  if (options.jwks !== undefined) {
    for (const name of ['jwksUri', 'jwksCache', 'onEvent'] as const) {
      if (options[name] !== undefined) throw new TypeError(`createVerifier: ${name} is for remote keys; it cannot be combined with jwks`);
    }
    let keySource: KeySource & { keySet: KeySet };
    try {
      keySource = createStaticKeySource(options.jwks);
    } catch (error) {
      throw new TypeError('createVerifier: jwks is not a JWK Set ({ "keys": [...] })', { cause: error });
    }
    // Every key skipped (private, too small, off-curve, ...) means no token can ever verify:
    // that is a configuration error, better reported at boot than as 401s.
    if (keySource.keySet.keys.length === 0) {
      const reasons = keySource.keySet.skipped.map((key) => key.code).join(', ') || 'the set is empty';
      throw new TypeError(`createVerifier: jwks holds no usable key (${reasons})`);
    }
    return keySource;
  }
  const cache = options.jwksCache ?? {};
  if (typeof cache !== 'object' || cache === null) throw new TypeError('createVerifier: jwksCache must be an object');
  return createRemoteKeySource({ ...cache, issuer: options.issuer, jwksUri: options.jwksUri, onEvent: options.onEvent, now });
}

function claimRules(options: VerifierOptions): ClaimRules {
  const issuer = optionalNonEmptyString(options.issuer, 'issuer');
  if (issuer === undefined) throw new TypeError('createVerifier: issuer is required');
  const audiences = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((item) => typeof item === 'string' && item !== '')) {
    throw new TypeError('createVerifier: audience must be a non-empty string or a non-empty array of them');
  }
  const requiredScopes = options.requiredScopes ?? [];
  if (!isScopeList(requiredScopes)) throw new TypeError('createVerifier: requiredScopes must be an array of scope tokens');
  const clockTolerance = nonNegativeNumber(options.clockTolerance, 'clockTolerance') ?? DEFAULT_CLOCK_TOLERANCE;
  // More forgiveness than this is no longer clock skew: it quietly extends every token's life.
  if (clockTolerance > MAX_CLOCK_TOLERANCE) throw new TypeError(`createVerifier: clockTolerance must be at most ${MAX_CLOCK_TOLERANCE} seconds`);
  const maxTokenAge = nonNegativeNumber(options.maxTokenAge, 'maxTokenAge');
  return Object.freeze({ issuer, audiences: Object.freeze([...audiences]), clockTolerance, maxTokenAge, requiredScopes: Object.freeze([...requiredScopes]) });
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), which also keeps `"` and
// `\` out of the challenge's scope="…" (RFC 6750 §3).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function isScopeList(scopes: unknown): scopes is readonly string[] {
  return Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string' && SCOPE_TOKEN.test(scope));
}

function allowedAlgorithms(algorithms: readonly JwsAlgorithm[] | undefined): ReadonlySet<JwsAlgorithm> {
  if (algorithms === undefined) return new Set(SUPPORTED_ALGORITHMS);
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw new TypeError('createVerifier: algorithms must be a non-empty array');
  for (const alg of algorithms) {
    if (getAlgorithm(alg) === undefined) {
      throw new TypeError(`createVerifier: unsupported algorithm ${JSON.stringify(alg)} (supported: ${SUPPORTED_ALGORITHMS.join(', ')})`);
    }
  }
  return new Set(algorithms);
}

function optionalNonEmptyString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new TypeError(`createVerifier: ${name} must be a non-empty string`);
  return value;
}

function nonNegativeNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`createVerifier: ${name} must be a number ≥ 0 (seconds)`);
  return value;
}

function positiveInteger(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) throw new TypeError(`createVerifier: ${name} must be a positive integer`);
  return value as number;
}
