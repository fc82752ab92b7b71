// The remote key source's options: names, units, defaults, and their validation, which
// runs when the verifier is created so a misconfiguration fails at boot, not per request.

import { discoveryUrl } from './discovery.js';
import type { RemoteKeyListener } from './events.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, type FetchLimits } from './fetch-json.js';
import { parseKeyUrl } from './url-policy.js';

const DEFAULT_MAX_AGE_MS = 10 * 60_000;
const DEFAULT_COOLDOWN_MS = 30_000;
const DEFAULT_MAX_STALE_MS = 24 * 60 * 60_000;

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

interface RemoteKeySettings {
  readonly issuer: string;
  readonly jwksUrl: URL | undefined;
  readonly limits: FetchLimits;
  readonly maxAgeMs: number;
  readonly cooldownMs: number;
  readonly maxStaleMs: number;
  readonly now: () => number;
}

/** The options with their defaults filled in; a TypeError for any bad one, before anything is fetched. */
export function readRemoteKeyOptions(options: RemoteKeySourceOptions): RemoteKeySettings {
  const { issuer, jwksUri } = options;
  let jwksUrl: URL | undefined;
  if (jwksUri !== undefined) {
    jwksUrl = typeof jwksUri === 'string' ? parseKeyUrl(jwksUri) : undefined;
    if (jwksUrl === undefined) throw new TypeError('clearjwt: jwksUri must be an https URL (http only to loopback)');
  } else if (typeof issuer !== 'string' || discoveryUrl(issuer) === undefined) {
    throw new TypeError('clearjwt: issuer must be an https URL (http only to loopback) without query or fragment');
  }
  for (const name of ['now', 'onEvent'] as const) {
    const value: unknown = options[name];
    if (value !== undefined && typeof value !== 'function') throw new TypeError(`clearjwt: ${name} must be a function`);
  }
  return {
    issuer: issuer ?? '',
    jwksUrl,
    limits: {
      // setTimeout overflows past 2^31 − 1 ms and would fire at once.
      timeoutMs: integerOption('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS, 1, 2 ** 31 - 1),
      maxResponseBytes: integerOption('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 1),
    },
    maxAgeMs: integerOption('maxAgeMs', options.maxAgeMs, DEFAULT_MAX_AGE_MS, 1),
    cooldownMs: integerOption('cooldownMs', options.cooldownMs, DEFAULT_COOLDOWN_MS, 0),
    maxStaleMs: integerOption('maxStaleMs', options.maxStaleMs, DEFAULT_MAX_STALE_MS, 0),
    now: options.now ?? Date.now,
  };
}

function integerOption(
  name: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`clearjwt: ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}
