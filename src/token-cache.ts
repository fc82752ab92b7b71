// The verified-token cache (`createVerifier({ cache })`, on unless `cache: false`). It wraps
// the verifier's checks and adds none of its own, so an audit of the validation can skip it
// (STYLE.md: caching stays outside the validation logic).
//
// Why a hit is safe: an entry is stored only after the full verification succeeded, keyed by
// the exact token string. Signature, header, types, issuer and audience depend only on that
// string and the verifier's fixed options, so they cannot change while the entry lives. What
// can change between two requests is re-checked on every hit, by the same code as a miss:
// - the key may leave the key set (rotation): KeySource.isCurrent, else a full verification;
// - time passes: checkTime (exp, nbf, iat, maxTokenAge, with the clock tolerance), so a hit
//   is never served past exp + clockTolerance, exactly as a miss;
// - each route asks for its own scopes: the verifier checks them after a hit as after a miss.
// Failures are never stored. Each verifier has its own cache, so nothing leaks between two.
//
// Memory: an entry's heap grows with its token (claims parsed from JSON can take ≈ 18 bytes
// per token character when built to expand, e.g. thousands of empty objects), so the cache is
// bounded twice: in entries and in the total length of the tokens it holds.

import { checkTime, type ClaimRules, type Claims } from './claims.js';
import type { VerificationKey } from './jwk.js';

export interface TokenCacheOptions {
  /** Most entries kept; the least recently used is dropped beyond it. */
  readonly max: number;
  /** Most characters of token text kept, summed over the entries; the least recently used
   *  are dropped beyond it. A token longer than this on its own is verified, never stored. */
  readonly maxTotalLength: number;
}

/** Far above any real working set of live tokens. Each entry measured ≈ 1.7 KB of heap for a
 *  Logto-shaped 421-character token, token string included: `npm run bench`. */
export const MAX_TOKEN_CACHE_ENTRIES = 1_000_000;
/** 1 GiB of token text, up to ≈ 18 GB of heap: a guard against a misplaced digit. */
export const MAX_TOKEN_CACHE_TOTAL_LENGTH = 1024 * 1024 * 1024;

/** A token that passed every check except the per-call scopes, and what a hit needs again. */
export interface VerifiedToken {
  readonly claims: Claims;
  readonly key: VerificationKey;
  readonly grantedScopes: ReadonlySet<string>;
}

interface TokenCacheContext extends TokenCacheOptions {
  /** KeySource.isCurrent: false once the key has left the key set. */
  readonly isCurrent: (key: VerificationKey) => boolean;
  readonly timeRules: Pick<ClaimRules, 'clockTolerance' | 'maxTokenAge'>;
  /** The verifier's clock, ms since the epoch. */
  readonly now: () => number;
}

/** On unless `cache: false`: 10,000 Logto-sized tokens (≈ 17 MB); 4 MiB of token text bounds
 *  the heap of larger tokens (README "Performance" has the measurements). */
export const DEFAULT_TOKEN_CACHE: TokenCacheOptions = Object.freeze({ max: 10_000, maxTotalLength: 4 * 1024 * 1024 });

/** The `cache` option, checked when the verifier is created; undefined for no cache. */
export function readTokenCacheOptions(value: unknown): TokenCacheOptions | undefined {
  if (value === false) return undefined;
  if (value === undefined || value === true) return DEFAULT_TOKEN_CACHE;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('createVerifier: cache must be false, true or { max?, maxTotalLength? }');
  }
  for (const name of Object.keys(value)) {
    if (name !== 'max' && name !== 'maxTotalLength') throw new TypeError(`createVerifier: unknown option cache.${name}`);
  }
  const { max, maxTotalLength } = value as Record<string, unknown>;
  return Object.freeze({
    max: boundedInteger(max, 'cache.max', MAX_TOKEN_CACHE_ENTRIES) ?? DEFAULT_TOKEN_CACHE.max,
    maxTotalLength: boundedInteger(maxTotalLength, 'cache.maxTotalLength', MAX_TOKEN_CACHE_TOTAL_LENGTH) ?? DEFAULT_TOKEN_CACHE.maxTotalLength,
  });
}

function boundedInteger(value: unknown, name: string, largest: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > largest) {
    throw new TypeError(`createVerifier: ${name} must be an integer from 1 to ${largest}`);
  }
  return value as number;
}

/** `verifyToken`, with its successes remembered (a bounded LRU: a Map keeps insertion order). */
export function cacheVerifiedTokens(
  verifyToken: (token: string) => Promise<VerifiedToken>, context: TokenCacheContext,
): (token: string) => Promise<VerifiedToken> {
  const { max, maxTotalLength, isCurrent, timeRules, now } = context;
  const entries = new Map<string, VerifiedToken>();
  let totalLength = 0;

  const forget = (token: string) => {
    if (entries.delete(token)) totalLength -= token.length;
  };
  const remember = (token: string, verified: VerifiedToken) => {
    forget(token); // two concurrent misses of one token both arrive here
    entries.set(token, verified); // now the most recently used
    totalLength += token.length;
    while (entries.size > max || totalLength > maxTotalLength) forget(entries.keys().next().value!);
  };

  return async (token) => {
    const cached = entries.get(token);
    if (cached !== undefined) {
      forget(token);
      if (isCurrent(cached.key)) {
        checkTime(cached.claims, timeRules, now() / 1000); // throws: the entry stays dropped
        remember(token, cached);
        return cached;
      }
    }
    const verified = await verifyToken(token);
    // Every hit hands out this same object, so no caller may change it for the next one.
    deepFreeze(verified.claims);
    remember(token, verified);
    return verified;
  };
}

// Claims are parsed JSON: objects, arrays and primitives, with no cycles. A loop, not
// recursion, because nesting depth is up to the token's author.
function deepFreeze(root: object): void {
  const pending: object[] = [root];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    Object.freeze(value);
    for (const member of Object.values(value)) if (typeof member === 'object' && member !== null) pending.push(member);
  }
}
