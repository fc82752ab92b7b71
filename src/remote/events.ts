// What the remote key source tells its operator, and the one safe way to tell it. Events
// never carry a token; a kid is the token author's choice, so log it escaped and cut short.

import type { AuthError, AuthErrorCode } from '../errors.js';

/**
 * Why a fetch happened: no keys yet; the set's max age passed; the set is in the last tenth
 * of its max age (refresh ahead); or a token named a kid the set does not hold.
 */
export type FetchReason = 'initial' | 'expired' | 'expiring' | 'unknown_kid';

/**
 * Why an unknown kid did not cause a fetch: one already answered within the cooldown, the
 * retry back-off after a failure runs, the last refresh removed this very kid, or too many
 * requests already wait on the fetch in flight.
 */
export type SuppressedReason = 'cooldown' | 'backoff' | 'removed' | 'waiters';

export type RemoteKeyEvent =
  | { readonly type: 'discovery'; readonly url: string; readonly durationMs: number; readonly jwksUri: string }
  | {
    /** 'fetch' for the first set loaded, 'refresh' for every later one. */
    readonly type: 'fetch' | 'refresh'; readonly url: string; readonly durationMs: number;
    readonly reason: FetchReason; readonly kids: readonly (string | undefined)[]; readonly maxAgeMs: number;
  }
  | {
    readonly type: 'fetch_failed'; readonly url: string; readonly durationMs: number; readonly reason: FetchReason;
    readonly code: AuthErrorCode; readonly error: AuthError;
    /** True while the last good set is still served (stale-if-error). */
    readonly servingStale: boolean; readonly retryInMs: number;
  }
  | {
    readonly type: 'key_skipped'; readonly url: string;
    readonly index: number; readonly kid: string | undefined; readonly code: AuthErrorCode;
  }
  | {
    /** A token's kid is unknown and no fetch was made for it; the token got auth.jwks_key_not_found. */
    readonly type: 'kid_refetch_suppressed'; readonly kid: string | undefined;
    readonly reason: SuppressedReason;
    /** Until an unknown kid may cause a fetch again (0: a fetch is in flight now). */
    readonly retryInMs: number;
  };

export type RemoteKeyListener = (event: RemoteKeyEvent) => void;

/** `listener`, made harmless: observability must never decide whether a token verifies. */
export function safeListener(listener: RemoteKeyListener | undefined): RemoteKeyListener {
  return (event) => {
    try {
      const result: unknown = listener?.(event);
      // Any thenable, not only this realm's Promise: a rejection must never go unhandled.
      if (typeof (result as { then?: unknown } | null | undefined)?.then === 'function') Promise.resolve(result).catch(() => {});
    } catch { /* a throwing logger is the logger's problem */ }
  };
}
