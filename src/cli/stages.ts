// The verification path as the CLI shows it: the stages in order, each with the rules it
// applies, and the one table saying which stage refuses with which code. The verifier does
// not report stages; the code it refuses with names the stage, so this table is all we need.
// `Record<…Code, …>` makes the compiler refuse a code the table forgets.

import type { AuthErrorCode } from '../index.js';

export const STAGES = [
  { name: 'bearer', rfc: 'RFC 6750 §2.1' },
  { name: 'jws', rfc: 'RFC 7515 §7.1, RFC 4648 §5' },
  { name: 'header', rfc: 'RFC 7515 §4.1, RFC 8725 §3.1' },
  { name: 'key', rfc: 'RFC 7517 §4-5, RFC 7515 §4.1.4, OIDC Discovery §4' },
  { name: 'signature', rfc: 'RFC 7515 §5.2, RFC 7518 §3' },
  { name: 'claims', rfc: 'RFC 7519 §4.1, RFC 9068 §4' },
  { name: 'scopes', rfc: 'RFC 6750 §3.1, RFC 9068 §2.2.3' },
  // Only with --organization: the Logto leaf (clearjwt/logto) runs after the core, scopes included.
  { name: 'organization', rfc: 'RFC 7519 §4.1.3, Logto "Validate access tokens"' },
] as const;

export type StageName = (typeof STAGES)[number]['name'];

// DPoP proofs (RFC 9449) are checked by their own leaf, which `clearjwt verify` does not
// run: its codes name no stage here. The Logto organization leaf runs with --organization.
type VerifierCode = Exclude<AuthErrorCode, `auth.dpop_${string}`>;

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
  'auth.organization_id_invalid': 'organization',
  'auth.organization_mismatch': 'organization',
  'auth.organization_token_required': 'organization',
  'auth.verification_failed': undefined,
};

export type StageResult = 'pass' | 'fail' | 'not reached' | 'unknown';

export interface StageRun {
  /** Whether the organization leaf ran (--organization); without it that stage is not shown. */
  readonly organization: boolean;
  /**
   * The code of an earlier refusal that the final one reinterprets (its `cause`): the Logto
   * leaf turns the core's aud refusal of a token for another organization into
   * `auth.organization_mismatch`. That earlier stage failed too, and the ones between never ran.
   */
  readonly causeCode?: AuthErrorCode | undefined;
}

/**
 * Each stage's result when verification ended with `code` (or passed, for `undefined`):
 * the stages before the failing one passed, the ones after it never ran. The catch-all
 * code names no stage, so after the bearer stage nothing is known.
 */
export function stageResults(code: AuthErrorCode | undefined, run: StageRun): Array<{ name: StageName; rfc: string; result: StageResult }> {
  const stages = STAGES.filter((stage) => run.organization || stage.name !== 'organization');
  const indexOf = (failing: AuthErrorCode) => stages.findIndex((stage) => stage.name === stageOf(failing));
  const failedAt = code === undefined ? stages.length : indexOf(code);
  const causeAt = run.causeCode === undefined ? -1 : indexOf(run.causeCode);
  const stoppedAt = causeAt !== -1 && causeAt < failedAt ? causeAt : failedAt;
  return stages.map((stage, index) => {
    let result: StageResult;
    if (failedAt === -1) result = index === 0 ? 'pass' : 'unknown';
    else if (index === failedAt || index === stoppedAt) result = 'fail';
    else result = index < stoppedAt ? 'pass' : 'not reached';
    return { name: stage.name, rfc: stage.rfc, result };
  });
}

export function stageOf(code: AuthErrorCode): StageName | undefined {
  return Object.hasOwn(STAGE_OF_CODE, code) ? STAGE_OF_CODE[code as VerifierCode] : undefined;
}
