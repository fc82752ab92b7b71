// Every option of createVerifier and of createRemoteKeySource: names, units, defaults and
// validation, read once into frozen settings so a misconfiguration fails at boot, not per
// request. A name we do not know is refused, never ignored: a misspelt `requiredScope`
// would otherwise let every token through the route it was meant to guard.

import { getAlgorithm, SUPPORTED_ALGORITHMS, type JwsAlgorithm } from './algorithms.js';
import { normalizeMediaType, type ClaimRules } from './claims.js';
import { DEFAULT_MAX_TOKEN_LENGTH, type DecodeOptions } from './jws.js';
import { createStaticKeySource, type KeySource } from './key-source.js';
import { discoveryUrl } from './remote/discovery.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, type FetchLimits } from './remote/fetch-json.js';
import type { RemoteKeyEvent } from './remote/events.js';
import type { RemoteKeySourceOptions } from './remote/options.js';
import { parseKeyUrl } from './remote/url-policy.js';

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
  readonly jwksCache?: JwksCacheOptions;
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
   * The verified-token cache, on by default: at most `max` tokens (default 10,000) and
   * `maxTotalLength` characters of token text (default 4 MiB), least recently used dropped
   * first; hits re-check time, key and scopes (src/token-cache.ts). With it, returned claims
   * are frozen: hits share one object. `true` or `{}` is the default; `false` turns it off.
   */
  readonly cache?: boolean | Partial<TokenCacheOptions>;
}

export interface JwksCacheOptions {
  /** Deadline for each whole HTTP exchange, ms. Default 5000. */
  readonly timeoutMs?: number;
  /** Largest response body accepted, bytes. Default 512 KiB. */
  readonly maxResponseBytes?: number;
  /** How long a fetched set is fresh, ms, and the cap on a server's max-age. Default 10 min. */
  readonly maxAgeMs?: number;
  /** At most one unknown-kid refetch per cooldown, ms. Default 30 s. */
  readonly cooldownMs?: number;
  /** How long past its freshness the last good set is served while refreshes fail, ms. Default 24 h. */
  readonly maxStaleMs?: number;
}

export interface TokenCacheOptions {
  /** Most entries kept; the least recently used is dropped beyond it. */
  readonly max: number;
  /** Most characters of token text kept, summed over the entries; the least recently used
   *  are dropped beyond it. A token longer than this on its own is verified, never stored. */
  readonly maxTotalLength: number;
}

export interface VerifyCallOptions {
  /** Scopes this route requires, on top of `requiredScopes`. */
  readonly scopes?: readonly string[];
}

// The defaults, all in one place.
export const DEFAULT_CLOCK_TOLERANCE = 5;
/** More forgiveness than this is no longer clock skew: it quietly extends every token's life. */
const MAX_CLOCK_TOLERANCE = 300;
const DEFAULT_MAX_AGE_MS = 10 * 60_000;
const DEFAULT_COOLDOWN_MS = 30_000;
const DEFAULT_MAX_STALE_MS = 24 * 60 * 60_000;
/** The token cache unless `cache: false`: 10,000 Logto-shaped tokens (≈ 1.7 KB of heap each,
 *  ≈ 17 MB); the 4 MiB of token text bound the heap of larger tokens, since an entry can take
 *  up to ≈ 17.6 B per token character (README "Performance" has the measurements). */
export const DEFAULT_TOKEN_CACHE: TokenCacheOptions = Object.freeze({ max: 10_000, maxTotalLength: 4 * 1024 * 1024 });
/** Far above any real working set of live tokens. */
export const MAX_TOKEN_CACHE_ENTRIES = 1_000_000;
/** 1 GiB of token text, up to ≈ 18 GB of heap: a guard against a misplaced digit. */
export const MAX_TOKEN_CACHE_TOTAL_LENGTH = 1024 * 1024 * 1024;
// DEFAULT_MAX_TOKEN_LENGTH (src/jws.ts), DEFAULT_TIMEOUT_MS and DEFAULT_MAX_RESPONSE_BYTES
// (src/remote/fetch-json.ts) are also the defaults of those layers used on their own.

// The known names. A Record over each interface's keys, so adding an option without listing
// it here does not compile.
const VERIFIER_OPTION_NAMES = names<VerifierOptions>({
  issuer: 1, audience: 1, jwks: 1, jwksUri: 1, jwksCache: 1, onEvent: 1, algorithms: 1, requiredScopes: 1,
  clockTolerance: 1, maxTokenAge: 1, typ: 1, maxTokenLength: 1, realm: 1, now: 1, cache: 1,
});
const JWKS_CACHE_OPTION_NAMES = names<JwksCacheOptions>({ timeoutMs: 1, maxResponseBytes: 1, maxAgeMs: 1, cooldownMs: 1, maxStaleMs: 1 });
const REMOTE_OPTION_NAMES = names<RemoteKeySourceOptions>({
  issuer: 1, jwksUri: 1, timeoutMs: 1, maxResponseBytes: 1, maxAgeMs: 1, cooldownMs: 1, maxStaleMs: 1, onEvent: 1, now: 1,
});
const TOKEN_CACHE_OPTION_NAMES = names<TokenCacheOptions>({ max: 1, maxTotalLength: 1 });
const CALL_OPTION_NAMES = names<VerifyCallOptions>({ scopes: 1 });

/** Where the verifier's keys come from: a static set imported now, or remote options checked now. */
export type KeySettings =
  | { readonly kind: 'static'; readonly source: KeySource }
  | { readonly kind: 'remote'; readonly options: RemoteKeySourceOptions };

export interface VerifierSettings {
  readonly rules: ClaimRules;
  readonly decode: Required<DecodeOptions>;
  readonly realm: string | undefined;
  readonly now: () => number;
  readonly keys: KeySettings;
  readonly cache: TokenCacheOptions | undefined;
}

/** createVerifier's options → frozen settings; a TypeError naming the first bad or unknown option. */
export function readVerifierOptions(options: VerifierOptions): VerifierSettings {
  if (!isObject(options)) throw optionError('options must be an object');
  refuseUnknownNames(options, VERIFIER_OPTION_NAMES, '');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw optionError('now must be a function');
  return Object.freeze({
    rules: readClaimRules(options),
    decode: Object.freeze({
      algorithms: readAlgorithms(options.algorithms),
      maxTokenLength: positiveInteger(options.maxTokenLength, 'maxTokenLength') ?? DEFAULT_MAX_TOKEN_LENGTH,
    }),
    realm: readRealm(options.realm),
    now,
    keys: readKeySettings(options, now),
    cache: readTokenCacheOptions(options.cache),
  });
}

function readClaimRules(options: VerifierOptions): ClaimRules {
  const issuer = nonEmptyString(options.issuer, 'issuer');
  if (issuer === undefined) throw optionError('issuer is required');
  const audiences = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((item) => typeof item === 'string' && item !== '')) {
    throw optionError('audience must be a non-empty string or a non-empty array of them');
  }
  const requiredScopes = options.requiredScopes ?? [];
  if (!isScopeList(requiredScopes)) throw optionError('requiredScopes must be an array of scope tokens');
  const clockTolerance = nonNegativeNumber(options.clockTolerance, 'clockTolerance') ?? DEFAULT_CLOCK_TOLERANCE;
  if (clockTolerance > MAX_CLOCK_TOLERANCE) throw optionError(`clockTolerance must be at most ${MAX_CLOCK_TOLERANCE} seconds`);
  const typ = nonEmptyString(options.typ, 'typ');
  return Object.freeze({
    issuer,
    audiences: Object.freeze([...audiences]),
    clockTolerance,
    maxTokenAge: nonNegativeNumber(options.maxTokenAge, 'maxTokenAge'),
    requiredScopes: Object.freeze([...requiredScopes]),
    typ: typ === undefined ? undefined : normalizeMediaType(typ),
  });
}

function readAlgorithms(algorithms: readonly JwsAlgorithm[] | undefined): ReadonlySet<JwsAlgorithm> {
  if (algorithms === undefined) return new Set(SUPPORTED_ALGORITHMS);
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw optionError('algorithms must be a non-empty array');
  for (const alg of algorithms) {
    if (getAlgorithm(alg) === undefined) {
      throw optionError(`unsupported algorithm ${JSON.stringify(alg)} (supported: ${SUPPORTED_ALGORITHMS.join(', ')})`);
    }
  }
  return new Set(algorithms);
}

function readRealm(value: unknown): string | undefined {
  const realm = nonEmptyString(value, 'realm');
  // RFC 9110 §5.6.4: the realm is a quoted-string in a header; no control characters.
  if (realm !== undefined && !/^[\x20-\x7e]*$/.test(realm)) throw optionError('realm must be printable ASCII');
  return realm;
}

// A static set is imported here, once; otherwise the remote options are checked here and the
// verifier creates the cache from them.
function readKeySettings(options: VerifierOptions, now: () => number): KeySettings {
  if (options.jwks === undefined) {
    const cache: unknown = options.jwksCache ?? {};
    if (!isObject(cache)) throw optionError('jwksCache must be an object');
    refuseUnknownNames(cache, JWKS_CACHE_OPTION_NAMES, 'jwksCache.');
    const remote = Object.freeze({ ...cache, issuer: options.issuer, jwksUri: options.jwksUri, onEvent: options.onEvent, now });
    readRemoteKeyOptions(remote);
    return Object.freeze({ kind: 'remote', options: remote });
  }
  for (const name of ['jwksUri', 'jwksCache', 'onEvent'] as const) {
    if (options[name] !== undefined) throw optionError(`${name} is for remote keys; it cannot be combined with jwks`);
  }
  let source: ReturnType<typeof createStaticKeySource>;
  try {
    source = createStaticKeySource(options.jwks);
  } catch (error) {
    throw optionError('jwks is not a JWK Set ({ "keys": [...] })', error);
  }
  // Every key skipped (private, too small, off-curve, ...) means no token can ever verify:
  // that is a configuration error, better reported at boot than as 401s.
  if (source.keySet.keys.length === 0) {
    const reasons = source.keySet.skipped.map((key) => key.code).join(', ') || 'the set is empty';
    throw optionError(`jwks holds no usable key (${reasons})`);
  }
  return Object.freeze({ kind: 'static', source });
}

/** The `cache` option: on with the defaults unless `false`; undefined for no cache. */
function readTokenCacheOptions(value: unknown): TokenCacheOptions | undefined {
  if (value === false) return undefined;
  if (value === undefined || value === true) return DEFAULT_TOKEN_CACHE;
  if (!isObject(value) || Array.isArray(value)) throw optionError('cache must be false, true or { max?, maxTotalLength? }');
  refuseUnknownNames(value, TOKEN_CACHE_OPTION_NAMES, 'cache.');
  const { max, maxTotalLength } = value as Partial<Record<keyof TokenCacheOptions, unknown>>;
  return Object.freeze({
    max: integerOption('cache.max', max, DEFAULT_TOKEN_CACHE.max, 1, MAX_TOKEN_CACHE_ENTRIES),
    maxTotalLength: integerOption('cache.maxTotalLength', maxTotalLength, DEFAULT_TOKEN_CACHE.maxTotalLength, 1, MAX_TOKEN_CACHE_TOTAL_LENGTH),
  });
}

export interface RemoteKeySettings {
  readonly issuer: string;
  readonly jwksUrl: URL | undefined;
  readonly limits: FetchLimits;
  readonly maxAgeMs: number;
  readonly cooldownMs: number;
  readonly maxStaleMs: number;
  readonly now: () => number;
}

/** createRemoteKeySource's options with their defaults filled in; a TypeError for any bad one, before anything is fetched. */
export function readRemoteKeyOptions(options: RemoteKeySourceOptions): RemoteKeySettings {
  if (!isObject(options)) throw optionError('options must be an object');
  refuseUnknownNames(options, REMOTE_OPTION_NAMES, '');
  const { issuer, jwksUri } = options;
  let jwksUrl: URL | undefined;
  if (jwksUri !== undefined) {
    jwksUrl = typeof jwksUri === 'string' ? parseKeyUrl(jwksUri) : undefined;
    if (jwksUrl === undefined) throw optionError('jwksUri must be an https URL (http only to loopback)');
  } else if (typeof issuer !== 'string' || discoveryUrl(issuer) === undefined) {
    throw optionError('issuer must be an https URL (http only to loopback) without query or fragment');
  }
  for (const name of ['now', 'onEvent'] as const) {
    const value: unknown = options[name];
    if (value !== undefined && typeof value !== 'function') throw optionError(`${name} must be a function`);
  }
  return Object.freeze({
    issuer: issuer ?? '',
    jwksUrl,
    limits: Object.freeze({
      // setTimeout overflows past 2^31 − 1 ms and would fire at once.
      timeoutMs: integerOption('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS, 1, 2 ** 31 - 1),
      maxResponseBytes: integerOption('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 1),
    }),
    maxAgeMs: integerOption('maxAgeMs', options.maxAgeMs, DEFAULT_MAX_AGE_MS, 1),
    cooldownMs: integerOption('cooldownMs', options.cooldownMs, DEFAULT_COOLDOWN_MS, 0),
    maxStaleMs: integerOption('maxStaleMs', options.maxStaleMs, DEFAULT_MAX_STALE_MS, 0),
    now: options.now ?? Date.now,
  });
}

const NO_SCOPES: readonly string[] = Object.freeze([]);

/** A call's options → the route's scopes. A malformed one is the caller's bug, not the client's. */
export function readCallOptions(options: VerifyCallOptions | undefined): readonly string[] {
  if (options === undefined) return NO_SCOPES;
  if (!isObject(options)) throw new TypeError('clearjwt: verify options must be an object');
  refuseUnknownNames(options, CALL_OPTION_NAMES, '');
  const scopes = options.scopes;
  if (scopes === undefined) return NO_SCOPES;
  // Never guessed at: a string would otherwise be spread into one-letter scopes.
  if (!isScopeList(scopes)) throw new TypeError('clearjwt: verify: scopes must be an array of scope tokens');
  return scopes;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), which also keeps `"` and
// `\` out of the challenge's scope="…" (RFC 6750 §3).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function isScopeList(scopes: unknown): scopes is readonly string[] {
  return Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string' && SCOPE_TOKEN.test(scope));
}

// --- the readers' small vocabulary --------------------------------------------------------

function optionError(message: string, cause?: unknown): TypeError {
  return new TypeError(`clearjwt: ${message}`, cause === undefined ? undefined : { cause });
}

function names<Options>(known: Record<keyof Options, 1>): readonly string[] {
  return Object.freeze(Object.keys(known));
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Any own key we do not know, symbols included, is refused with the closest known name. */
export function refuseUnknownNames(options: object, known: readonly string[], path: string): void {
  for (const key of Reflect.ownKeys(options)) {
    if (typeof key === 'string' && known.includes(key)) continue;
    const name = String(key);
    throw optionError(`unknown option ${JSON.stringify(path + name)} (did you mean ${JSON.stringify(path + closestName(name, known))}?)`);
  }
}

// A known name that contains the unknown one (or is contained in it) first: `scopes` passed
// to createVerifier means `requiredScopes`. Otherwise the smallest edit distance.
function closestName(name: string, known: readonly string[]): string {
  const lower = name.toLowerCase();
  const related = known.filter((candidate) => candidate.toLowerCase().includes(lower) || lower.includes(candidate.toLowerCase()));
  const pool = related.length > 0 ? related : known;
  return pool.reduce((best, candidate) => (editDistance(name, candidate) < editDistance(name, best) ? candidate : best));
}

// Levenshtein distance, case-insensitive: `requiredscopes` is as near as `requiredScopes`.
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[y.length]!;
}

function nonEmptyString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw optionError(`${name} must be a non-empty string`);
  return value;
}

function nonNegativeNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw optionError(`${name} must be a number ≥ 0 (seconds)`);
  return value;
}

function positiveInteger(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) throw optionError(`${name} must be a positive integer`);
  return value as number;
}

function integerOption(name: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw optionError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value as number;
}
