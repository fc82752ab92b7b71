// The remote key source's options and events. Their defaults and validation live with every
// other option in src/options.ts.

import type { AuthError, AuthErrorCode } from '../errors.js';

/** A server's `Cache-Control: max-age` below this is raised to it (unless maxAgeMs is lower). */
export const MIN_MAX_AGE_MS = 60_000;
/** The first retry after a failed fetch; each further failure doubles it, up to max(cooldownMs, 1 s). */
export const FIRST_RETRY_MS = 1_000;

export interface RemoteKeySourceOptions {
  /** The issuer; its discovery document names the JWK Set (OIDC Discovery §4). */
  readonly issuer?: string | undefined;
  /** The JWK Set URL. When given, discovery is skipped. */
  readonly jwksUri?: string | undefined;
  /** Deadline for each whole HTTP exchange, ms. Default 5000. */
  readonly timeoutMs?: number | undefined;
  /** Largest response body accepted, bytes. Default 512 KiB. */
  readonly maxResponseBytes?: number | undefined;
  /** How long a fetched set is fresh, ms, and the cap on a server's max-age. Default 10 min. */
  readonly maxAgeMs?: number | undefined;
  /** At most one unknown-kid refetch per cooldown, ms; the longest retry back-off is max(cooldownMs, 1 s). Default 30 s. */
  readonly cooldownMs?: number | undefined;
  /** How long past its freshness the last good set is served while refreshes fail, ms. Default 24 h. */
  readonly maxStaleMs?: number | undefined;
  /** Told about fetches and failures; never sees a token. Exceptions it throws are ignored. */
  readonly onEvent?: ((event: RemoteKeyEvent) => void) | undefined;
  /** The clock, ms since the epoch. Default Date.now. */
  readonly now?: (() => number) | undefined;
}

/** Why a fetch happened: no keys yet, the set's max age passed, or a token named an unknown kid. */
export type FetchReason = 'initial' | 'expired' | 'unknown_kid';

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
  };
