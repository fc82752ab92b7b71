// One DPoP proof, checked against the request it came with: RFC 9449 §4.3 steps 2–9, 11 and
// 12's ath, in that order. The nonce (step 10), the token's binding (step 12's cnf.jkt) and
// replay (§11.1) need state or the verified token; src/dpop/verifier.ts does those.
//
// The proof is a JWS like any token, so it goes through the core's own signature layer
// (verifyCompactJws: strict base64url, the algorithm table, crit refused, one signature
// function). Only the key differs: it comes from the proof's own `jwk` header, imported by
// the same importJwk that imports an issuer's keys.

import { createHash } from 'node:crypto';
import type { JwsAlgorithm } from '../algorithms.js';
import { normalizeMediaType } from '../claims.js';
import { AuthError, toAuthError, type AuthErrorCode } from '../errors.js';
import { importJwk, type VerificationKey } from '../jwk.js';
import { computeJwkThumbprint } from '../jwk-thumbprint.js';
import { own, parseJsonObject } from '../json.js';
import type { JwsHeader } from '../jws.js';
import { verifyCompactJws } from '../verify-jws.js';
import { equalStrings } from './equal-strings.js';
import { htuMatches, normalizeHtu } from './htu.js';

/** 8 KiB: a proof with an RSA-8192 key fits; anything larger is refused before parsing. */
export const MAX_PROOF_LENGTH = 8 * 1024;

export interface ProofRules {
  readonly algorithms: ReadonlySet<JwsAlgorithm>;
  /** Seconds a proof stays acceptable after its iat. */
  readonly iatWindowSeconds: number;
  /** Seconds of clock skew forgiven on iat, both ways. */
  readonly clockTolerance: number;
}

export interface ProofRequest {
  readonly method: string;
  /** The URL as the client saw it (absolute); query and fragment are ignored. */
  readonly url: string;
  /** The access token from `Authorization: DPoP <token>`. */
  readonly accessToken: string;
}

export interface CheckedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: what the token's cnf.jkt must equal. */
  readonly jkt: string;
  readonly jti: string;
  /** The normalised htu, which scopes the jti for replay detection (§11.1). */
  readonly htu: string;
  readonly iat: number;
  readonly nonce: string | undefined;
}

// What the core's JWS layer reports, in the proof's terms: every failure of a proof is
// invalid_dpop_proof (§7.1), never invalid_token, which would blame the access token.
const PROOF_CODES: Partial<Record<AuthErrorCode, AuthErrorCode>> = {
  'auth.token_too_large': 'auth.dpop_proof_too_large',
  'auth.jws_malformed': 'auth.dpop_proof_malformed',
  'auth.jwe_not_supported': 'auth.dpop_proof_malformed',
  'auth.base64url_invalid': 'auth.dpop_proof_malformed',
  'auth.jws_header_invalid': 'auth.dpop_proof_malformed',
  'auth.jws_crit_unsupported': 'auth.dpop_proof_malformed',
  'auth.jws_b64_unsupported': 'auth.dpop_proof_malformed',
  'auth.jws_alg_not_allowed': 'auth.dpop_proof_alg_not_allowed',
  'auth.jws_signature_invalid': 'auth.dpop_proof_signature_invalid',
};

export async function verifyDpopProof(
  proof: string, request: ProofRequest, rules: ProofRules, nowSeconds: number,
): Promise<CheckedProof> {
  let verified;
  try {
    // §4.3 steps 2, 4–7: one compact JWS, typ, alg, a public jwk, the signature. The length
    // cap comes first in the core's decoder, before any parsing.
    verified = await verifyCompactJws(proof, resolveProofKey, { algorithms: rules.algorithms, maxTokenLength: MAX_PROOF_LENGTH });
  } catch (error) {
    const authError = toAuthError(error);
    const code = PROOF_CODES[authError.code];
    throw code === undefined ? authError : new AuthError(code, { cause: authError });
  }
  const claims = readProofClaims(verified.payload);
  // §4.3 step 8: the method, compared exactly (methods are case-sensitive, RFC 9110 §9.1).
  if (claims.htm !== request.method) throw new AuthError('auth.dpop_proof_htm_mismatch');
  // §4.3 step 9, with RFC 3986 §6.2.2/§6.2.3 normalisation on both sides.
  if (!htuMatches(claims.htu, request.url)) throw new AuthError('auth.dpop_proof_htu_mismatch');
  // §4.3 step 11: issued within the window, not in the future beyond the tolerance.
  if (claims.iat < nowSeconds - rules.iatWindowSeconds - rules.clockTolerance || claims.iat > nowSeconds + rules.clockTolerance) {
    throw new AuthError('auth.dpop_proof_iat_out_of_window');
  }
  // §4.3 step 12 / §4.2: ath = base64url(SHA-256(ASCII(access token))).
  const ath = createHash('sha256').update(request.accessToken, 'ascii').digest('base64url');
  if (!equalStrings(claims.ath, ath)) throw new AuthError('auth.dpop_proof_ath_mismatch');
  return {
    jkt: computeJwkThumbprint(own(verified.header, 'jwk')),
    jti: claims.jti,
    htu: normalizeHtu(claims.htu)!,
    iat: claims.iat,
    nonce: claims.nonce,
  };
}

// The key comes from the proof itself (§4.2 `jwk`); the checks before it are the header's.
const MAX_PROOF_RSA_BYTES = 4096 / 8;

function resolveProofKey(header: JwsHeader): VerificationKey {
  // §4.3 step 4. RFC 7515 §4.1.9 lets the "application/" prefix be omitted, in any case.
  if (typeof header.typ !== 'string' || normalizeMediaType(header.typ) !== 'dpop+jwt') {
    throw new AuthError('auth.dpop_proof_typ_invalid');
  }
  let key: VerificationKey;
  try {
    // §4.3 step 7 and RFC 8725 §3.1: private members, small-order Ed25519, RSA e = 1, short
    // RSA moduli, points off the curve are all refused by the issuer-key import.
    key = importJwk(own(header, 'jwk'));
  } catch (error) {
    const code = toAuthError(error).code === 'auth.jwk_private_key' ? 'auth.dpop_proof_jwk_private' : 'auth.dpop_proof_jwk_invalid';
    throw new AuthError(code, { cause: error });
  }
  // The issuer-key bounds allow RSA up to 16384 bits; a proof key is the client's choice on
  // every request, so it is held to 4096 bits (one 16384-bit verify costs ≈ 50× a 2048-bit one).
  if (key.modulusLength !== null && key.modulusLength > MAX_PROOF_RSA_BYTES) throw new AuthError('auth.dpop_proof_jwk_invalid');
  // §4.3 step 5: the alg must suit the key (no RS256 with an EC key, no ES384 on P-256).
  if (!key.algorithms.has(header.alg)) throw new AuthError('auth.dpop_proof_alg_key_mismatch');
  return key;
}

interface ProofClaims {
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
  readonly iat: number;
  readonly ath: string;
  readonly nonce: string | undefined;
}

// §4.2 / §4.3 step 3: jti, htm, htu, iat are required, and ath because a resource server
// always receives an access token with the proof. nonce is a string when present.
function readProofClaims(payload: Uint8Array): ProofClaims {
  const claims = parseJsonObject(payload);
  if (claims === undefined) throw new AuthError('auth.dpop_proof_claim_invalid');
  const jti = own(claims, 'jti');
  const htm = own(claims, 'htm');
  const htu = own(claims, 'htu');
  const iat = own(claims, 'iat');
  const ath = own(claims, 'ath');
  const nonce = own(claims, 'nonce');
  const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';
  if (!nonEmptyString(jti) || !nonEmptyString(htm) || !nonEmptyString(htu) || !nonEmptyString(ath)) {
    throw new AuthError('auth.dpop_proof_claim_invalid');
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new AuthError('auth.dpop_proof_claim_invalid');
  if (nonce !== undefined && !nonEmptyString(nonce)) throw new AuthError('auth.dpop_proof_claim_invalid');
  return { jti, htm, htu, iat, ath, nonce };
}
