// The verification path as the CLI shows it: the stages in order, each with the rules it
// applies, and the one table saying which stage refuses with which code. The verifier does
// not report stages; the code it refuses with names the stage, so this table is all we need.
// `Record<AuthErrorCode, …>` makes the compiler refuse a code the table forgets.

import type { AuthErrorCode } from '../index.js';

export const STAGES = [
  { name: 'bearer', rfc: 'RFC 6750 §2.1' },
  { name: 'jws', rfc: 'RFC 7515 §7.1, RFC 4648 §5' },
  { name: 'header', rfc: 'RFC 7515 §4.1, RFC 8725 §3.1' },
  { name: 'key', rfc: 'RFC 7517 §4-5, RFC 7515 §4.1.4, OIDC Discovery §4' },
  { name: 'signature', rfc: 'RFC 7515 §5.2, RFC 7518 §3' },
  { name: 'claims', rfc: 'RFC 7519 §4.1, RFC 9068 §4' },
  { name: 'scopes', rfc: 'RFC 6750 §3.1, RFC 9068 §2.2.3' },
] as const;

export type StageName = (typeof STAGES)[number]['name'];

// DPoP proofs (RFC 9449) and Logto organizations are checked by their own leaves, which
// `clearjwt verify` does not run: their codes name no stage here.
type VerifierCode = Exclude<AuthErrorCode, `auth.dpop_${string}` | `auth.organization_${string}`>;

/** Which stage refuses with each code; `undefined` for the fail-closed catch-all, which has none. */
export const STAGE_OF_CODE: Readonly<Record<VerifierCode, StageName | undefined>> = {
  'auth.authorization_header_missing': 'bearer',
  'auth.authorization_token_invalid_format': 'bearer',
  'auth.authorization_token_type_not_supported': 'bearer',
  'auth.token_too_large': 'jws',
  'auth.jws_malformed': 'jws',
  'auth.jwe_not_supported': 'jws',
  'auth.base64url_invalid': 'jws',
  'auth.jws_header_invalid': 'header',
  'auth.jws_alg_not_allowed': 'header',
  'auth.jws_crit_unsupported': 'header',
  'auth.jws_b64_unsupported': 'header',
  'auth.jwk_invalid': 'key',
  'auth.jwk_unsupported': 'key',
  'auth.jwk_private_key': 'key',
  'auth.jwk_rsa_too_small': 'key',
  'auth.jwk_not_for_signature': 'key',
  'auth.jwk_alg_mismatch': 'key',
  'auth.jwks_key_not_found': 'key',
  'auth.jwks_unavailable': 'key',
  'auth.jwks_invalid': 'key',
  'auth.jwks_no_usable_key': 'key',
  'auth.discovery_invalid': 'key',
  'auth.discovery_issuer_mismatch': 'key',
  'auth.jwks_uri_insecure': 'key',
  'auth.jws_signature_invalid': 'signature',
  'auth.jwt_payload_invalid': 'claims',
  'auth.jwt_claim_invalid': 'claims',
  'auth.jwt_exp_missing': 'claims',
  'auth.jwt_expired': 'claims',
  'auth.jwt_not_yet_valid': 'claims',
  'auth.jwt_iat_in_future': 'claims',
  'auth.jwt_too_old': 'claims',
  'auth.jwt_iat_missing': 'claims',
  'auth.jwt_issuer_mismatch': 'claims',
  'auth.jwt_audience_mismatch': 'claims',
  'auth.jwt_typ_mismatch': 'claims',
  'auth.insufficient_scope': 'scopes',
  'auth.verification_failed': undefined,
};

export type StageResult = 'pass' | 'fail' | 'not reached' | 'unknown';

/**
 * Each stage's result when verification ended with `code` (or passed, for `undefined`):
 * the stages before the failing one passed, the ones after it never ran. The catch-all
 * code names no stage, so after the bearer stage nothing is known.
 */
export function stageResults(code: AuthErrorCode | undefined): Array<{ name: StageName; rfc: string; result: StageResult }> {
  const failedAt = code === undefined ? STAGES.length : STAGES.findIndex((stage) => stage.name === stageOf(code));
  return STAGES.map((stage, index) => {
    let result: StageResult;
    if (failedAt === -1) result = index === 0 ? 'pass' : 'unknown';
    else result = index < failedAt ? 'pass' : index === failedAt ? 'fail' : 'not reached';
    return { name: stage.name, rfc: stage.rfc, result };
  });
}

export function stageOf(code: AuthErrorCode): StageName | undefined {
  return Object.hasOwn(STAGE_OF_CODE, code) ? STAGE_OF_CODE[code as VerifierCode] : undefined;
}
