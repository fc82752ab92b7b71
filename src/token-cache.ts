// The verified-token cache (`createVerifier({ cache })`, on unless `cache: false`). It wraps
// the verifier's checks and adds none of its own (STYLE.md: caching stays outside the
// validation logic). Being on by default, it is on the audit path: this file is all of it.
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
import type { TokenCacheOptions } from './options.js';

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

/** `verifyToken`, with its successes remembered (a bounded LRU: a Map keeps insertion order). */
export function cacheVerifiedTokens(
  verifyToken: (token: string) => VerifiedToken | Promise<VerifiedToken>, context: TokenCacheContext,
): (token: string) => Promise<VerifiedToken> {
  const { max, maxTotalLength, isCurrent, timeRules, now } = context;
  const entries = new Map<string, VerifiedToken>();
  let totalLength = 0;

  const forget = (token: string) => { if (entries.delete(token)) totalLength -= token.length; };
  const remember = (token: string, verified: VerifiedToken) => {
    forget(token); // two concurrent misses of one token both arrive here
    if (token.length > maxTotalLength) return; // it can never fit: evicting the rest for it would only empty the cache
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
