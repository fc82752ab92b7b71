// The one table of JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1, RFC 9864 §2.2). Nothing
// below this file enumerates algorithms: every other module asks this table.
//
// Only asymmetric algorithms are here. `none` (RFC 7518 §3.6) and HS256/384/512 are absent
// on purpose: a verifier that holds only public keys must never accept a MAC, or a public
// key becomes an HMAC secret (the classic algorithm-confusion attack).

export type JwsAlgorithm =
  | 'ES256' | 'ES384' | 'ES512'
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'EdDSA' | 'Ed25519';

export type KeyType = 'EC' | 'RSA' | 'OKP';
export type EcCurveName = 'P-256' | 'P-384' | 'P-521';
export type CurveName = EcCurveName | 'Ed25519';
export type HashName = 'sha256' | 'sha384' | 'sha512';

/**
 * Where the signature maths runs: libuv's thread pool is worth it only where the maths costs
 * far more than the hand-off (≈ 40–60 µs); README "Performance" has the measurements.
 */
type Thread = 'event loop' | 'thread pool';

/** RFC 7518 §3.4: ECDSA with the one curve the algorithm names; r‖s, each the curve's byte length. */
export interface EcdsaAlgorithm {
  readonly family: 'ECDSA';
  readonly name: JwsAlgorithm;
  readonly kty: 'EC';
  readonly curve: EcCurveName;
  readonly hash: HashName;
  /** Exactly 2 × the curve's byte length (32, 48, 66): 64, 96, 132. */
  readonly signatureLength: number;
  readonly offThread: boolean;
}

/** RFC 7518 §3.3: RSASSA-PKCS1-v1_5 (RFC 8017 §8.2). */
export interface Pkcs1Algorithm {
  readonly family: 'RSASSA-PKCS1-v1_5';
  readonly name: JwsAlgorithm;
  readonly kty: 'RSA';
  readonly hash: HashName;
  readonly offThread: boolean;
}

/** RFC 7518 §3.5: RSASSA-PSS, MGF1 with the same hash, salt length = hash length. */
export interface PssAlgorithm {
  readonly family: 'RSASSA-PSS';
  readonly name: JwsAlgorithm;
  readonly kty: 'RSA';
  readonly hash: HashName;
  readonly saltLength: number;
  readonly offThread: boolean;
}

/** RFC 8037 §3.1, RFC 8032 §5.1.6: Ed25519 hashes internally; signatures are 64 bytes. */
export interface EddsaAlgorithm {
  readonly family: 'EdDSA';
  readonly name: JwsAlgorithm;
  readonly kty: 'OKP';
  readonly curve: 'Ed25519';
  readonly signatureLength: number;
  readonly offThread: boolean;
}

export type AlgorithmSpec = EcdsaAlgorithm | Pkcs1Algorithm | PssAlgorithm | EddsaAlgorithm;

type Row = AlgorithmSpec extends infer Spec ? Spec extends AlgorithmSpec ? Omit<Spec, 'name'> : never : never;

// RFC 7518 §6.2.1.2: an EC coordinate is the curve's field size in bytes.
export const EC_COORDINATE_LENGTHS: Readonly<Record<EcCurveName, number>> = Object.freeze({ 'P-256': 32, 'P-384': 48, 'P-521': 66 });
const HASH_LENGTHS: Readonly<Record<HashName, number>> = { sha256: 32, sha384: 48, sha512: 64 };

const ecdsa = (curve: EcCurveName, hash: HashName, thread: Thread): Row =>
  ({ family: 'ECDSA', kty: 'EC', curve, hash, signatureLength: 2 * EC_COORDINATE_LENGTHS[curve], offThread: thread === 'thread pool' });
const pkcs1 = (hash: HashName): Row => ({ family: 'RSASSA-PKCS1-v1_5', kty: 'RSA', hash, offThread: false });
const pss = (hash: HashName): Row => ({ family: 'RSASSA-PSS', kty: 'RSA', hash, saltLength: HASH_LENGTHS[hash], offThread: false });
const eddsa = (curve: 'Ed25519'): Row => ({ family: 'EdDSA', kty: 'OKP', curve, signatureLength: 64, offThread: false });

// Only ES384 and ES512 cost enough to be worth the thread pool (README "Performance").
const ROWS: Readonly<Record<JwsAlgorithm, Row>> = {
  ES256: ecdsa('P-256', 'sha256', 'event loop'),
  ES384: ecdsa('P-384', 'sha384', 'thread pool'),
  ES512: ecdsa('P-521', 'sha512', 'thread pool'),
  RS256: pkcs1('sha256'),
  RS384: pkcs1('sha384'),
  RS512: pkcs1('sha512'),
  PS256: pss('sha256'),
  PS384: pss('sha384'),
  PS512: pss('sha512'),
  EdDSA: eddsa('Ed25519'),
  // RFC 9864 §2.2: the fully-specified name for EdDSA on Ed25519; the same signature.
  Ed25519: eddsa('Ed25519'),
};

const TABLE: ReadonlyMap<string, AlgorithmSpec> = new Map(
  Object.entries(ROWS).map(([name, row]) => [name, Object.freeze({ name, ...row }) as AlgorithmSpec]),
);

export const SUPPORTED_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze([...TABLE.keys()] as JwsAlgorithm[]);

/** The table entry for `alg`, or undefined for anything we do not support (a Map, so `__proto__` is just a miss). */
export function getAlgorithm(alg: unknown): AlgorithmSpec | undefined {
  return typeof alg === 'string' ? TABLE.get(alg) : undefined;
}

/** The algorithms a key of this type (and curve) can verify: the key-type binding of RFC 7518 §3. */
export function algorithmsForKey(kty: KeyType, curve: CurveName | null): JwsAlgorithm[] {
  return [...TABLE.values()]
    .filter((spec) => spec.kty === kty && (spec.kty === 'RSA' || spec.curve === curve))
    .map((spec) => spec.name);
}

/** The bounds on an RSA public key, together. */
export const RSA_KEY_BOUNDS = Object.freeze({
  /** NIST SP 800-57 / RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used". */
  minModulusBits: 2048,
  /** Beyond this a modulus buys no security and makes every verification a CPU burn. */
  maxModulusBits: 16384,
  /** RFC 8017 §3.1: e ≥ 3 (e = 1 makes every "signature" its own message), and odd. */
  minExponent: 3,
  /** Exponents wider than 32 bits are not used in practice and only cost time. */
  maxExponentBytes: 4,
});
