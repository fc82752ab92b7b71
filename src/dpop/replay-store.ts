// Where used proof identifiers are remembered (RFC 9449 §11.1). The verifier needs one
// atomic operation, so several processes can share a store (Redis: `SET key 1 NX PX ttl`).
// The default keeps them in this process, bounded in count, each for its own lifetime.

export interface ReplayStore {
  /**
   * Remembers `key` for `ttlMs` milliseconds if it is not already remembered, in one atomic
   * step. True: the key was new (the proof is fresh). False: it was seen before (a replay).
   * Throwing or rejecting fails the request closed (503).
   */
  rememberIfNew(key: string, ttlMs: number): boolean | Promise<boolean>;
}

export interface MemoryReplayStoreOptions {
  /** Most keys held at once; when full of unexpired keys, new proofs are refused. Default 100,000. */
  readonly max?: number;
  /** The clock, in milliseconds (tests). Default Date.now. */
  readonly now?: () => number;
}

export const DEFAULT_REPLAY_STORE_MAX = 100_000;

/** The decision for one key, apart from the state: is a key that expires at `expiresAt` still held at `now`? */
export function isRemembered(expiresAt: number | undefined, now: number): boolean {
  return expiresAt !== undefined && expiresAt > now;
}

export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const max = options.max ?? DEFAULT_REPLAY_STORE_MAX;
  if (!Number.isSafeInteger(max) || max < 1) throw new TypeError('createMemoryReplayStore: max must be a positive integer');
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('createMemoryReplayStore: now must be a function');
  // Insertion order is close to expiry order (lifetimes differ by at most the iat window),
  // so expired keys are swept from the front, a few per call.
  const expiries = new Map<string, number>();

  function sweep(at: number, stopAtFirstLive: boolean): void {
    for (const [key, expiresAt] of expiries) {
      if (!isRemembered(expiresAt, at)) expiries.delete(key);
      else if (stopAtFirstLive) return;
    }
  }

  return {
    rememberIfNew(key, ttlMs) {
      const at = now();
      sweep(at, true);
      if (isRemembered(expiries.get(key), at)) return false;
      expiries.delete(key);
      if (expiries.size >= max) sweep(at, false);
      // Forgetting a live key would let its proof be replayed: refuse (503) instead.
      if (expiries.size >= max) throw new Error('memory replay store is full');
      expiries.set(key, at + ttlMs);
      return true;
    },
  };
}
