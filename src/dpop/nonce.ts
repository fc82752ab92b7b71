// Server-provided nonces (RFC 9449 §8, §9): the server names a value the next proof must
// carry, which bounds how far ahead a stolen key can pre-compute proofs. No state: a nonce
// is an HMAC of the current time slot under a random secret, so it cannot be guessed, and
// processes that share the secret agree on it. The current and the previous slot's nonce
// are accepted, so a nonce handed out just before a rotation still works.

import { createHmac, randomBytes } from 'node:crypto';
import { equalStrings } from './equal-strings.js';

export interface NonceOptions {
  /** At least 32 bytes; share it between processes that serve one API. Default: random per process. */
  readonly secret?: Uint8Array;
  /** How long each nonce is current, in seconds. Default 300; a nonce is accepted for up to twice this. */
  readonly rotationSeconds?: number;
}

export interface NonceSource {
  /** The nonce to send in DPoP-Nonce now. */
  current(): string;
  /** True for the current or the previous slot's nonce. */
  accepts(nonce: string): boolean;
}

export const DEFAULT_NONCE_ROTATION_SECONDS = 300;
const MIN_SECRET_BYTES = 32;

/** The nonce of one time slot: base64url, so it fits RFC 9449 §8.1's NQCHAR syntax. */
export function nonceForSlot(secret: Uint8Array, slot: number): string {
  return createHmac('sha256', secret).update(`dpop-nonce:${slot}`).digest('base64url');
}

/** Which slot `nowMs` falls in: a pure function of the time. */
export function slotAt(nowMs: number, rotationSeconds: number): number {
  return Math.floor(nowMs / (rotationSeconds * 1000));
}

export function createNonceSource(options: NonceOptions, now: () => number): NonceSource {
  const secret = options.secret ?? randomBytes(MIN_SECRET_BYTES);
  if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_BYTES) {
    throw new TypeError(`createDpopVerifier: nonce.secret must be a Uint8Array of at least ${MIN_SECRET_BYTES} bytes`);
  }
  const rotationSeconds = options.rotationSeconds ?? DEFAULT_NONCE_ROTATION_SECONDS;
  if (typeof rotationSeconds !== 'number' || !Number.isFinite(rotationSeconds) || rotationSeconds < 1) {
    throw new TypeError('createDpopVerifier: nonce.rotationSeconds must be a number ≥ 1');
  }
  const current = (): string => nonceForSlot(secret, slotAt(now(), rotationSeconds));
  return {
    current,
    accepts(nonce) {
      const slot = slotAt(now(), rotationSeconds);
      return [slot, slot - 1].some((candidate) => equalStrings(nonce, nonceForSlot(secret, candidate)));
    },
  };
}
