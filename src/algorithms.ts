// The one table of JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1). Nothing below this file
// enumerates algorithms: every other module asks this table.
//
// Only asymmetric algorithms are here. `none` (RFC 7518 §3.6) and HS256/384/512 are absent
// on purpose: a verifier that holds only public keys must never accept a MAC, or a public
// key becomes an HMAC secret (the classic algorithm-confusion attack).

export type JwsAlgorithm =
  | 'ES256' | 'ES384' | 'ES512'
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'EdDSA';

export type KeyType = 'EC' | 'RSA' | 'OKP';
export type CurveName = 'P-256' | 'P-384' | 'P-521' | 'Ed25519';
export type HashName = 'sha256' | 'sha384' | 'sha512';

export interface AlgorithmSpec {
  readonly name: JwsAlgorithm;
  readonly kty: KeyType;
  /** Digest passed to crypto.verify; null for EdDSA, whose hash is part of the scheme. */
  readonly hash: HashName | null;
  /** The only curve the algorithm may use (RFC 7518 §3.4 binds each ES* to one curve). */
  readonly curve: CurveName | null;
  /** Exact signature length in bytes where the algorithm fixes it (ECDSA r‖s, Ed25519). */
  readonly signatureLength: number | null;
  readonly padding: 'pkcs1' | 'pss' | null;
  /** RFC 7518 §3.5: PSS salt length equals the hash output length. */
  readonly saltLength: number | null;
  /**
   * Verify on libuv's thread pool instead of the event loop. Worth it only where the maths
   * costs far more than the hand-off (≈ 40–60 µs); measurements in the comment above TABLE.
   */
  readonly offThread: boolean;
}

const spec = (
  name: JwsAlgorithm, kty: KeyType, hash: HashName | null, curve: CurveName | null,
  signatureLength: number | null, padding: 'pkcs1' | 'pss' | null, saltLength: number | null, offThread: boolean,
): AlgorithmSpec => Object.freeze({ name, kty, hash, curve, signatureLength, padding, saltLength, offThread });

// RFC 7518 §3.4: ES* signatures are r‖s, each left-padded to the curve's byte length
// (32, 48, 66), so 64, 96 and 132 bytes. RFC 8032 §5.1.6: Ed25519 signatures are 64 bytes.
//
// offThread, decided by `npm run bench` (2 cores, Node 20.20, OpenSSL 3.0; crypto.verify
// alone: sync µs per call / on the pool, one at a time µs / 8 in flight per s, sync vs pool /
// event-loop delay p99 ms at 8 in flight, sync vs pool, 1 ms timer interval included):
//   ES256    65 / 106 / 15,200 vs 24,200 / 1.1 vs 1.4   sync: the hand-off (≈ 40 µs) costs a
//   EdDSA   105 / 148 /  9,500 vs 15,700 / 1.7 vs 1.5     third of a call, and sync keeps the loop
//   RS256    21 /  60 / 45,300 vs 55,500 / 1.1 vs 1.2     delay under 2 ms anyway
//   PS256    23 /  69 / 42,700 vs 51,400 / 1.2 vs 1.2
//   ES384   627 / 673 /  1,590 vs  2,980 / 5.1 vs 2.7   pool: 1.9× the throughput, and sync
//   ES512  1415 / 1474 /   707 vs  1,370 / 11.6 vs 4.3    blocks the loop for a whole verification
const TABLE: ReadonlyMap<string, AlgorithmSpec> = new Map([
  ['ES256', spec('ES256', 'EC', 'sha256', 'P-256', 64, null, null, false)],
  ['ES384', spec('ES384', 'EC', 'sha384', 'P-384', 96, null, null, true)],
  ['ES512', spec('ES512', 'EC', 'sha512', 'P-521', 132, null, null, true)],
  ['RS256', spec('RS256', 'RSA', 'sha256', null, null, 'pkcs1', null, false)],
  ['RS384', spec('RS384', 'RSA', 'sha384', null, null, 'pkcs1', null, false)],
  ['RS512', spec('RS512', 'RSA', 'sha512', null, null, 'pkcs1', null, false)],
  ['PS256', spec('PS256', 'RSA', 'sha256', null, null, 'pss', 32, false)],
  ['PS384', spec('PS384', 'RSA', 'sha384', null, null, 'pss', 48, false)],
  ['PS512', spec('PS512', 'RSA', 'sha512', null, null, 'pss', 64, false)],
  ['EdDSA', spec('EdDSA', 'OKP', null, 'Ed25519', 64, null, null, false)],
]);

export const SUPPORTED_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze([...TABLE.keys()] as JwsAlgorithm[]);

/** The table entry for `alg`, or undefined for anything we do not support (a Map, so `__proto__` is just a miss). */
export function getAlgorithm(alg: unknown): AlgorithmSpec | undefined {
  return typeof alg === 'string' ? TABLE.get(alg) : undefined;
}

/** The algorithms a key of this type (and curve) can verify: the key-type binding of RFC 7518 §3. */
export function algorithmsForKey(kty: KeyType, curve: CurveName | null): JwsAlgorithm[] {
  return SUPPORTED_ALGORITHMS.filter((name) => {
    const entry = TABLE.get(name)!;
    return entry.kty === kty && (entry.curve === null || entry.curve === curve);
  });
}

/** RSA moduli below this are refused (NIST SP 800-57 / RFC 7518 §3.3 "2048 bits or larger"). */
export const MIN_RSA_MODULUS_BITS = 2048;
