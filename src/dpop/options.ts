// createDpopVerifier's options → checked settings, once, at creation. A misspelt option is
// refused with a TypeError naming it: a DPoP setting silently ignored is a check not made.

import { getAlgorithm, SUPPORTED_ALGORITHMS, type JwsAlgorithm } from '../algorithms.js';
import { DEFAULT_REALM } from '../errors.js';
import { DEFAULT_CLOCK_TOLERANCE, refuseUnknownNames } from '../options.js';
import { createNonceSource, type NonceOptions, type NonceSource } from './nonce.js';
import type { ProofRules } from './proof.js';
import { createMemoryReplayStore, type ReplayStore } from './replay-store.js';
import type { DpopRequest } from './request.js';

export interface DpopVerifierOptions {
  /** 'allowed': Bearer and DPoP both accepted (bound tokens only with DPoP). 'required': DPoP only. */
  readonly mode: 'allowed' | 'required';
  /**
   * The scheme, host and port clients use to reach this API, e.g. `https://api.example.com`:
   * the origin of every request's htu. Never taken from the request's Host or X-Forwarded-*
   * headers, which the client controls. A function opts in to deriving it from the request.
   */
  readonly publicOrigin: string | ((request: DpopRequest) => string);
  /** Proof algorithms accepted; default every supported asymmetric one. */
  readonly algorithms?: readonly JwsAlgorithm[];
  /** Seconds after its iat that a proof is accepted. Default 60, at most 600. */
  readonly iatWindowSeconds?: number;
  /** Seconds of clock skew forgiven on the proof's iat. Default 5, at most 300. */
  readonly clockTolerance?: number;
  /** Where used proofs are remembered; share one between processes. Default: in memory. */
  readonly replayStore?: ReplayStore;
  /** A store that has not answered after this many milliseconds fails the request (503). Default 2000. */
  readonly replayStoreTimeoutMs?: number;
  /** Server nonces (RFC 9449 §9): `{}` for the defaults. Default: off. */
  readonly nonce?: NonceOptions | false;
  /** The realm in challenges; use the core verifier's. Default "api". */
  readonly realm?: string;
  /** The clock, in milliseconds (tests). Default Date.now. */
  readonly now?: () => number;
}

export interface DpopSettings {
  readonly mode: 'allowed' | 'required';
  /** The origin the client used, or undefined when the configured function gave no origin. */
  readonly publicOrigin: (request: DpopRequest) => string | undefined;
  readonly rules: ProofRules;
  readonly replayStore: ReplayStore;
  readonly replayStoreTimeoutMs: number;
  readonly nonces: NonceSource | undefined;
  readonly realm: string;
  readonly now: () => number;
}

const OPTION_NAMES: readonly string[] = [
  'mode', 'publicOrigin', 'algorithms', 'iatWindowSeconds', 'clockTolerance', 'replayStore', 'replayStoreTimeoutMs', 'nonce', 'realm', 'now',
];
const NONCE_OPTION_NAMES: readonly string[] = ['secret', 'rotationSeconds'];
const DEFAULT_IAT_WINDOW_SECONDS = 60;
const MAX_IAT_WINDOW_SECONDS = 600;
const MAX_CLOCK_TOLERANCE = 300;
const DEFAULT_REPLAY_STORE_TIMEOUT_MS = 2000;

export function readDpopOptions(options: DpopVerifierOptions): DpopSettings {
  if (typeof options !== 'object' || options === null) throw new TypeError('createDpopVerifier: options must be an object');
  refuseUnknownNames(options, OPTION_NAMES, '');
  if (options.mode !== 'allowed' && options.mode !== 'required') {
    throw new TypeError("createDpopVerifier: mode must be 'allowed' or 'required' (without DPoP, use the core verifier alone)");
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('createDpopVerifier: now must be a function');
  const realm = options.realm ?? DEFAULT_REALM;
  if (typeof realm !== 'string' || !/^[\x20-\x7e]+$/.test(realm)) throw new TypeError('createDpopVerifier: realm must be printable ASCII');
  const rules: ProofRules = Object.freeze({
    algorithms: proofAlgorithms(options.algorithms),
    iatWindowSeconds: boundedSeconds(options.iatWindowSeconds, 'iatWindowSeconds', DEFAULT_IAT_WINDOW_SECONDS, MAX_IAT_WINDOW_SECONDS),
    clockTolerance: boundedSeconds(options.clockTolerance, 'clockTolerance', DEFAULT_CLOCK_TOLERANCE, MAX_CLOCK_TOLERANCE),
  });
  const replayStore = options.replayStore ?? createMemoryReplayStore({ now });
  if (typeof replayStore?.rememberIfNew !== 'function') throw new TypeError('createDpopVerifier: replayStore must have rememberIfNew(key, ttlMs)');
  const replayStoreTimeoutMs = options.replayStoreTimeoutMs ?? DEFAULT_REPLAY_STORE_TIMEOUT_MS;
  if (!Number.isSafeInteger(replayStoreTimeoutMs) || replayStoreTimeoutMs < 1 || replayStoreTimeoutMs > 60_000) {
    throw new TypeError('createDpopVerifier: replayStoreTimeoutMs must be an integer from 1 to 60000');
  }
  return {
    mode: options.mode, publicOrigin: originOf(options.publicOrigin), rules, replayStore, replayStoreTimeoutMs,
    nonces: nonceSource(options.nonce, now), realm, now,
  };
}

function originOf(publicOrigin: unknown): (request: DpopRequest) => string | undefined {
  // A function's answer is held to the same rule on every request: one ending in `#` or `?`
  // would cut the request's path off the URL that htu is compared with.
  if (typeof publicOrigin === 'function') {
    return (request) => {
      const origin: unknown = publicOrigin(request);
      return isHttpOrigin(origin) ? origin : undefined;
    };
  }
  if (!isHttpOrigin(publicOrigin)) {
    throw new TypeError('createDpopVerifier: publicOrigin must be an http(s) origin such as https://api.example.com (no path, no trailing slash) or a function');
  }
  return () => publicOrigin;
}

// An origin is scheme://host[:port], nothing more (RFC 6454 §6.1); a path here would be a guess.
function isHttpOrigin(value: unknown): value is string {
  return typeof value === 'string' && URL.canParse(value) && new URL(value).origin === value && /^https?:$/.test(new URL(value).protocol);
}

function proofAlgorithms(algorithms: readonly JwsAlgorithm[] | undefined): ReadonlySet<JwsAlgorithm> {
  if (algorithms === undefined) return new Set(SUPPORTED_ALGORITHMS);
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw new TypeError('createDpopVerifier: algorithms must be a non-empty array');
  for (const alg of algorithms) {
    if (getAlgorithm(alg) === undefined) throw new TypeError(`createDpopVerifier: unsupported algorithm ${JSON.stringify(alg)} (supported: ${SUPPORTED_ALGORITHMS.join(', ')})`);
  }
  return new Set(algorithms);
}

function boundedSeconds(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new TypeError(`createDpopVerifier: ${name} must be a number of seconds from 0 to ${max}`);
  }
  return value;
}

function nonceSource(nonce: NonceOptions | false | undefined, now: () => number): NonceSource | undefined {
  if (nonce === undefined || nonce === false) return undefined;
  if (typeof nonce !== 'object' || nonce === null) throw new TypeError('createDpopVerifier: nonce must be an object ({} for the defaults) or false');
  refuseUnknownNames(nonce, NONCE_OPTION_NAMES, 'nonce.');
  return createNonceSource(nonce, now);
}
