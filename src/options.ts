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
  readonly issuer?: string;
  /** This API's identifier(s) (Logto: the API resource indicator); `aud` must contain one. */
  readonly audience?: string | readonly string[];
  /** A static JWK Set (fully offline). Without it, keys are found by discovery or `jwksUri`. */
  readonly jwks?: unknown;
  /** The JWK Set URL; skips OIDC discovery. https only (http for loopback hosts). */
  readonly jwksUri?: string;
  /** Several trusted issuers, each with its audience and keys, instead of issuer/audience/jwks/jwksUri. */
  readonly issuers?: readonly IssuerOptions[];
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
  /** The protected resource metadata URL (RFC 9728), named in every 401 challenge. */
  readonly resourceMetadata?: string;
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

/** One trusted issuer of several: its exact `iss`, the audience its tokens must name, its keys. */
export interface IssuerOptions {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly jwks?: unknown;
  readonly jwksUri?: string;
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
  /** For this call only, the audience(s) `aud` must contain, instead of the configured ones. */
  readonly audience?: string | readonly string[];
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

// --- the readers' small vocabulary (before the tables, which use it as they are built) ---

const integer = (min: number, max = Number.MAX_SAFE_INTEGER): (value: unknown, name: string) => number =>
  when((value) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max, `an integer from ${min} to ${max}`);
// NaN fails both comparisons; Infinity fails the one with a finite bound (Number.MAX_VALUE at most).
const numberFrom = (min: number, max = Number.MAX_VALUE) => (value: unknown): boolean => typeof value === 'number' && value >= min && value <= max;
const isFunction = (value: unknown): boolean => typeof value === 'function';
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isNonEmptyArray = (value: unknown): value is unknown[] => Array.isArray(value) && value.length > 0;
const isAudience = (value: unknown): boolean => isNonEmptyString(value) || (isNonEmptyArray(value) && value.every(isNonEmptyString));
const audienceList = (value: string | readonly string[]): readonly string[] => Object.freeze(typeof value === 'string' ? [value] : [...value]);
const isAlgorithmList = (value: unknown): boolean => isNonEmptyArray(value) && value.every((alg) => getAlgorithm(alg) !== undefined);

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), which also keeps `"` and
// `\` out of the challenge's scope="…" (RFC 6750 §3).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const isScopeList = (value: unknown): boolean => Array.isArray(value) && value.every((scope) => typeof scope === 'string' && SCOPE_TOKEN.test(scope));

// --- the tables: option name → reader -----------------------------------------------------
// A reader takes the option's value (never undefined: absent options are not read) and its
// path, and returns the setting or throws a TypeError naming the path. Each table is typed
// against its interface, so an option added without a reader does not compile, and a name
// missing from a table is refused as unknown.

const ISSUER_READERS = {
  issuer: when<string>(isNonEmptyString, 'a non-empty string'),
  audience: when(isAudience, 'a non-empty string or a non-empty array of them', audienceList),
  jwks: (jwks: unknown) => jwks, // imported, and so checked, by readKeySettings
  jwksUri: when<string>(isNonEmptyString, 'a non-empty string'), // checked as a URL by readRemoteKeyOptions
} satisfies Readers<IssuerOptions>;

const JWKS_CACHE_READERS = {
  // setTimeout overflows past 2^31 − 1 ms and would fire at once.
  timeoutMs: integer(1, 2 ** 31 - 1),
  maxResponseBytes: integer(1),
  maxAgeMs: integer(1),
  cooldownMs: integer(0),
  maxStaleMs: integer(0),
} satisfies Readers<JwksCacheOptions>;

const VERIFIER_READERS = {
  ...ISSUER_READERS,
  issuers: when(isNonEmptyArray, 'a non-empty array', (entries: unknown[]) =>
    entries.map((entry, index) => readAll(entry, ISSUER_READERS, `issuers[${index}].`))),
  jwksCache: (value: unknown) => readAll(value, JWKS_CACHE_READERS, 'jwksCache.'),
  onEvent: when<(event: RemoteKeyEvent) => void>(isFunction, 'a function'),
  algorithms: when(isAlgorithmList, `a non-empty array of ${SUPPORTED_ALGORITHMS.join(', ')}`, (list: JwsAlgorithm[]) => new Set(list)),
  requiredScopes: when(isScopeList, 'an array of scope tokens', (list: readonly string[]) => Object.freeze([...list])),
  clockTolerance: when<number>(numberFrom(0, MAX_CLOCK_TOLERANCE), `a number of seconds from 0 to ${MAX_CLOCK_TOLERANCE}`),
  maxTokenAge: when<number>(numberFrom(0), 'a number ≥ 0 (seconds)'),
  typ: when(isNonEmptyString, 'a non-empty string', normalizeMediaType),
  maxTokenLength: integer(1),
  // RFC 9110 §5.6.4: the realm is a quoted-string in a header; no control characters.
  realm: when<string>((value) => isNonEmptyString(value) && /^[\x20-\x7e]*$/.test(value), 'a non-empty printable ASCII string'),
  resourceMetadata: when<string>(isMetadataUrl, 'an absolute http(s) URL without fragment, quotes or spaces'),
  now: when<() => number>(isFunction, 'a function'),
  // false: off; true or {}: the defaults; each member given replaces its default.
  cache: (value: unknown) => value === false ? false : value === true ? DEFAULT_TOKEN_CACHE
    : Object.freeze({ ...DEFAULT_TOKEN_CACHE, ...readAll(value, TOKEN_CACHE_READERS, 'cache.', 'cache must be false, true or { max?, maxTotalLength? }') }),
} satisfies Readers<VerifierOptions>;

const TOKEN_CACHE_READERS = {
  max: integer(1, MAX_TOKEN_CACHE_ENTRIES),
  maxTotalLength: integer(1, MAX_TOKEN_CACHE_TOTAL_LENGTH),
} satisfies Readers<TokenCacheOptions>;

const REMOTE_READERS = {
  ...JWKS_CACHE_READERS,
  issuer: (issuer: string) => issuer, // checked below: needed only without jwksUri
  jwksUri: when((value) => typeof value === 'string' && parseKeyUrl(value) !== undefined, 'an https URL (http only to loopback)', parseKeyUrl),
  onEvent: when<(event: RemoteKeyEvent) => void>(isFunction, 'a function'),
  now: when<() => number>(isFunction, 'a function'),
} satisfies Readers<RemoteKeySourceOptions>;

const CALL_READERS = {
  // Never guessed at: a string would otherwise be spread into one-letter scopes.
  scopes: when<readonly string[]>(isScopeList, 'an array of scope tokens'),
  audience: when(isAudience, 'a non-empty string or a non-empty array of them', audienceList),
} satisfies Readers<VerifyCallOptions>;

// --- the settings --------------------------------------------------------------------------

/** Where an issuer's keys come from: a static set imported now, or remote options checked now. */
export type KeySettings =
  | { readonly kind: 'static'; readonly source: KeySource }
  | { readonly kind: 'remote'; readonly options: RemoteKeySourceOptions };

/** One trusted issuer: the claim rules its tokens meet, and its own keys. */
export interface IssuerSettings {
  readonly rules: ClaimRules;
  readonly keys: KeySettings;
}

export interface VerifierSettings {
  /** One entry per trusted issuer; one for the `issuer` option. */
  readonly issuers: readonly IssuerSettings[];
  readonly decode: Required<DecodeOptions>;
  readonly realm: string | undefined;
  readonly resourceMetadata: string | undefined;
  readonly now: () => number;
  readonly cache: TokenCacheOptions | undefined;
}

type VerifierRead = ReadOptions<typeof VERIFIER_READERS>;
type IssuerRead = ReadOptions<typeof ISSUER_READERS>;

/** createVerifier's options → frozen settings; a TypeError naming the first bad or unknown option. */
export function readVerifierOptions(options: VerifierOptions): VerifierSettings {
  const read = readAll(options, VERIFIER_READERS, '');
  const now = read.now ?? Date.now;
  return Object.freeze({
    issuers: readIssuers(read, now),
    decode: Object.freeze({ algorithms: read.algorithms ?? new Set(SUPPORTED_ALGORITHMS), maxTokenLength: read.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH }),
    realm: read.realm, resourceMetadata: read.resourceMetadata, now,
    cache: read.cache === undefined ? DEFAULT_TOKEN_CACHE : read.cache || undefined,
  });
}

// `issuers`, or the single issuer/audience/jwks/jwksUri: never both, each issuer once. Every
// issuer shares the time, type and scope rules; each has its own audience and keys.
function readIssuers(read: VerifierRead, now: () => number): readonly IssuerSettings[] {
  const single: IssuerRead = { issuer: read.issuer, audience: read.audience, jwks: read.jwks, jwksUri: read.jwksUri };
  if (read.issuers !== undefined && Object.values(single).some((value) => value !== undefined)) {
    throw optionError('issuers cannot be combined with issuer, audience, jwks or jwksUri');
  }
  const entries = read.issuers ?? [single];
  if (new Set(entries.map((entry) => entry.issuer)).size !== entries.length) throw optionError('issuers names an issuer twice');
  if (entries.every((entry) => entry.jwks !== undefined) && (read.jwksCache ?? read.onEvent) !== undefined) {
    throw optionError('jwksCache and onEvent are for remote keys; every issuer has static jwks');
  }
  return Object.freeze(entries.map((entry) => Object.freeze({
    rules: Object.freeze({
      issuer: entry.issuer ?? refuse('issuer is required'),
      audiences: entry.audience ?? refuse('audience must be a non-empty string or a non-empty array of them'),
      clockTolerance: read.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE,
      maxTokenAge: read.maxTokenAge,
      requiredScopes: read.requiredScopes ?? NO_SCOPES,
      typ: read.typ,
    }),
    keys: readKeySettings(entry, read, now),
  })));
}

// A static set is imported here, once; otherwise the remote options are checked here and the
// verifier creates the cache from them.
function readKeySettings(entry: IssuerRead, read: VerifierRead, now: () => number): KeySettings {
  if (entry.jwks === undefined) {
    const remote = Object.freeze({ ...read.jwksCache, issuer: entry.issuer, jwksUri: entry.jwksUri, onEvent: read.onEvent, now });
    readRemoteKeyOptions(remote);
    return Object.freeze({ kind: 'remote', options: remote });
  }
  if (entry.jwksUri !== undefined) throw optionError('jwksUri is for remote keys; it cannot be combined with jwks');
  let source: ReturnType<typeof createStaticKeySource>;
  try {
    source = createStaticKeySource(entry.jwks);
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
  const read = readAll(options, REMOTE_READERS, '');
  const issuer: unknown = read.issuer;
  if (read.jwksUri === undefined && (typeof issuer !== 'string' || discoveryUrl(issuer) === undefined)) {
    throw optionError('issuer must be an https URL (http only to loopback) without query or fragment');
  }
  return Object.freeze({
    issuer: typeof issuer === 'string' ? issuer : '',
    jwksUrl: read.jwksUri,
    limits: Object.freeze({
      timeoutMs: read.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxResponseBytes: read.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    }),
    maxAgeMs: read.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
    cooldownMs: read.cooldownMs ?? DEFAULT_COOLDOWN_MS,
    maxStaleMs: read.maxStaleMs ?? DEFAULT_MAX_STALE_MS,
    now: read.now ?? Date.now,
  });
}

/** What one call asks for: the route's scopes, and an audience replacing the configured one. */
export interface CallSettings {
  readonly scopes: readonly string[];
  readonly audiences: readonly string[] | undefined;
}

const NO_SCOPES: readonly string[] = Object.freeze([]);
const NO_CALL_OPTIONS: CallSettings = Object.freeze({ scopes: NO_SCOPES, audiences: undefined });

/** A call's options → its settings. A malformed one is the caller's bug, not the client's: a TypeError. */
export function readCallOptions(options: VerifyCallOptions | undefined): CallSettings {
  if (options === undefined) return NO_CALL_OPTIONS;
  const read = readAll(options, CALL_READERS, '', 'verify options must be an object');
  return { scopes: read.scopes ?? NO_SCOPES, audiences: read.audience };
}

// --- the readers' types and table walker -------------------------------------------------

type Reader = (value: never, name: string) => unknown;
type Readers<Options> = { readonly [Name in keyof Required<Options>]: Reader };
type ReadOptions<Table> = { -readonly [Name in keyof Table]?: Table[Name] extends (...args: never[]) => infer T ? T : never };

/** Every own name of `options` through its reader; a name with no reader is refused, with the closest known one. */
function readAll<Table extends Record<string, Reader>>(
  options: unknown, readers: Table, path: string, notAnObject = `${path.slice(0, -1) || 'options'} must be an object`,
): ReadOptions<Table> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw optionError(notAnObject);
  refuseUnknownNames(options, Object.keys(readers), path);
  // No prototype: an option left out reads as undefined even when Object.prototype has been
  // polluted elsewhere in the process (a `jwks` or `clockTolerance` it supplies is ignored).
  const read: Record<string, unknown> = Object.create(null);
  for (const name of Reflect.ownKeys(options) as string[]) {
    const value: unknown = (options as Record<string, unknown>)[name];
    if (value !== undefined) read[name] = (readers[name] as (value: unknown, name: string) => unknown)(value, path + name);
  }
  return read as ReadOptions<Table>;
}

/** A reader: `test` must hold, then `convert` makes the setting. */
function when<Out, In = Out>(test: (value: unknown) => boolean, expected: string, convert?: (value: In) => Out): (value: unknown, name: string) => Out {
  return (value, name) => {
    if (!test(value)) throw optionError(`${name} must be ${expected}`);
    return convert === undefined ? value as Out : convert(value as In);
  };
}



// RFC 9728 §5.1: the metadata URL goes into a quoted-string; visible ASCII without `"` or `\`
// keeps it intact there, and a fragment has no meaning in a URL that is fetched.
function isMetadataUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(value) || value.includes('#') || !URL.canParse(value)) return false;
  return ['https:', 'http:'].includes(new URL(value).protocol);
}

const optionError = (message: string, cause?: unknown): TypeError => new TypeError(`clearjwt: ${message}`, cause === undefined ? undefined : { cause });
const refuse = (message: string): never => { throw optionError(message); };

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
