// The remote key source's options. Their defaults and validation live with every other
// option in src/options.ts; the events it reports are in events.ts.

import type { RemoteKeyListener } from './events.js';

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
  readonly onEvent?: RemoteKeyListener | undefined;
  /** The clock, ms since the epoch. Default Date.now. */
  readonly now?: (() => number) | undefined;
}
