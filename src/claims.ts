// The verified payload → Claims, after the JWT rules (RFC 7519 §4.1, §7.2) and the access
// token profile (RFC 9068 §4): types, issuer, audience, time, token type and scopes.

import { AuthError } from './errors.js';
import { jsonType, own, parseJsonObject } from './json.js';

export interface RegisteredClaims {
  readonly iss?: string;
  /** The user id (Logto: the user's id). */
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly exp: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
  /** The OAuth client the token was issued to (RFC 9068 §2.2, RFC 8693 §4.3). */
  readonly client_id?: string;
  /** Space-separated granted scopes (RFC 8693 §4.2, RFC 9068 §2.2.3). */
  readonly scope?: string;
  /** Granted scopes as an array, or space separated (Microsoft Entra ID). */
  readonly scp?: string | readonly string[];
}

export type Claims<Custom extends object = Record<never, never>> =
  RegisteredClaims & Custom & { readonly [claim: string]: unknown };

export interface ClaimRules {
  readonly issuer: string;
  readonly audiences: readonly string[];
  /** Seconds of clock skew forgiven on exp, nbf and iat. */
  readonly clockTolerance: number;
  /** Seconds after iat beyond which a token is refused; undefined for no limit. */
  readonly maxTokenAge: number | undefined;
  readonly requiredScopes: readonly string[];
  /** The expected header typ, already normalized (normalizeMediaType); undefined: not checked. */
  readonly typ: string | undefined;
}

/** The claims, and the scopes they grant, of a payload whose signature has been verified. */
export interface CheckedClaims {
  readonly claims: Claims;
  readonly grantedScopes: ReadonlySet<string>;
}

/**
 * Every rule that holds for the token whatever the route, in order: the header typ, the
 * payload's JSON and claim types, issuer, audience, then time. The route's scopes are
 * checked by the caller (checkScopes), on the grantedScopes returned here.
 */
export function checkClaims(typ: string | undefined, payload: Uint8Array, rules: ClaimRules, nowSeconds: number): CheckedClaims {
  checkType(typ, rules.typ);
  const claims = parseJsonObject(payload);
  if (claims === undefined) throw new AuthError('auth.jwt_payload_invalid', { detail: { check: 'payload', expected: 'JSON object' } });
  checkTypes(claims);
  // RFC 7519 §4.1.1 / OIDC Discovery §4.3: the issuer is compared as an exact string.
  const iss = own(claims, 'iss') as string | undefined;
  if (iss !== rules.issuer) throw new AuthError('auth.jwt_issuer_mismatch', { detail: { check: 'iss', expected: rules.issuer, found: iss } });
  // RFC 7519 §4.1.3: the token must name us; a string or an array that contains us.
  const aud = own(claims, 'aud') as string | string[] | undefined;
  if (!audienceMatches(aud, rules.audiences)) {
    throw new AuthError('auth.jwt_audience_mismatch', { detail: { check: 'aud', expected: rules.audiences, found: aud } });
  }
  checkTime(claims as Claims, rules, nowSeconds);
  return { claims: claims as Claims, grantedScopes: grantedScopes(claims) };
}

/**
 * The time-dependent rules: exp (required), nbf, iat and maxTokenAge, each with the clock
 * tolerance; `now` in seconds. Also what the verified-token cache re-checks on every hit.
 */
export function checkTime(claims: Claims, rules: Pick<ClaimRules, 'clockTolerance' | 'maxTokenAge'>, now: number): void {
  const exp = own(claims, 'exp') as number | undefined;
  const nbf = own(claims, 'nbf') as number | undefined;
  const iat = own(claims, 'iat') as number | undefined;
  const { clockTolerance: tolerance, maxTokenAge } = rules;
  // RFC 9068 §2.2: exp is required in an access token; a token without one would never die.
  if (exp === undefined) throw new AuthError('auth.jwt_exp_missing', { detail: { check: 'exp', exp, now, tolerance } });
  // A clock that returns NaN would make every comparison below false, i.e. pass.
  if (!Number.isFinite(now)) throw new AuthError('auth.verification_failed', { detail: { check: 'clock', now } });
  // RFC 7519 §4.1.4: valid only *before* exp.
  if (now - tolerance >= exp) throw new AuthError('auth.jwt_expired', { detail: { check: 'exp', exp, now, tolerance } });
  // RFC 7519 §4.1.5: valid only at or after nbf.
  if (nbf !== undefined && now + tolerance < nbf) throw new AuthError('auth.jwt_not_yet_valid', { detail: { check: 'nbf', nbf, now, tolerance } });
  // RFC 7519 §4.1.6 leaves iat informative, but a token issued in the future is a clock or
  // forgery problem either way.
  if (iat !== undefined && now + tolerance < iat) throw new AuthError('auth.jwt_iat_in_future', { detail: { check: 'iat', iat, now, tolerance } });
  if (maxTokenAge !== undefined) {
    if (iat === undefined) throw new AuthError('auth.jwt_iat_missing', { detail: { check: 'iat', iat, now, tolerance, maxTokenAge } });
    if (now - tolerance - iat > maxTokenAge) throw new AuthError('auth.jwt_too_old', { detail: { check: 'iat', iat, now, tolerance, maxTokenAge } });
  }
}

// RFC 7519 §4.1: registered claims have fixed JSON types. A wrong type is an error, not
// something to coerce ("1767229200" is not a NumericDate). organization_id is Logto's (a
// string when present); its meaning belongs to a Logto leaf. RFC 7519 §2: a NumericDate is a
// JSON number of seconds; non-integer values are allowed. Checked in this order.
const isString = (value: unknown): boolean => typeof value === 'string';
const CLAIM_TYPES = [
  { expected: 'string', names: ['iss', 'sub', 'jti', 'scope', 'client_id', 'organization_id'], test: isString },
  { expected: 'NumericDate', names: ['exp', 'nbf', 'iat'], test: Number.isFinite },
  { expected: 'string or array of strings', names: ['aud', 'scp'], test: (value: unknown) => isString(value) || (Array.isArray(value) && value.every(isString)) },
] as const;

// Parsed JSON holds no `undefined`, so own() returns undefined exactly for an absent claim.
// The detail names the claim and the JSON type found, never the value.
function checkTypes(claims: Record<string, unknown>): void {
  for (const { expected, names, test } of CLAIM_TYPES) {
    for (const claim of names) {
      const value = own(claims, claim);
      if (value !== undefined && !test(value)) throw new AuthError('auth.jwt_claim_invalid', { detail: { check: 'claim_type', claim, expected, found: jsonType(value) } });
    }
  }
}

function audienceMatches(aud: string | readonly string[] | undefined, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud);
  return aud !== undefined && aud.some((value) => accepted.includes(value));
}

// Granted scopes come from `scope`, a space-separated string (RFC 8693 §4.2, RFC 9068 §2.2.3),
// and from `scp`: an array for some providers, a space-separated string for Microsoft Entra ID.
function grantedScopes(claims: Record<string, unknown>): ReadonlySet<string> {
  const granted = new Set<string>();
  for (const member of [own(claims, 'scope'), own(claims, 'scp')]) {
    const items = typeof member === 'string' ? member.split(' ') : member as string[] | undefined;
    if (items !== undefined) for (const item of items) if (item !== '') granted.add(item);
  }
  return granted;
}

// A missing scope is RFC 6750 §3.1 insufficient_scope (403), and the challenge lists what
// the resource needs.
export function checkScopes(granted: ReadonlySet<string>, required: readonly string[], callScopes: readonly string[] = []): void {
  const needed = callScopes.length === 0 ? required : [...required, ...callScopes];
  if (needed.every((item) => granted.has(item))) return;
  const requiredScopes = [...new Set(needed)];
  const missing = requiredScopes.filter((item) => !granted.has(item));
  throw new AuthError('auth.insufficient_scope', { requiredScopes, detail: { check: 'scope', missing, required: requiredScopes } });
}

// RFC 9068 §4 requires typ "at+jwt"; RFC 7515 §4.1.9 makes media types case-insensitive
// and lets the "application/" prefix be omitted, so `at+jwt`, `AT+JWT` and
// `application/at+jwt` are one type.
export function normalizeMediaType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** `expected` is already normalized: the options reader does that once (src/options.ts). */
function checkType(typ: string | undefined, expected: string | undefined): void {
  if (expected === undefined) return;
  if (typ === undefined || normalizeMediaType(typ) !== expected) throw new AuthError('auth.jwt_typ_mismatch', { detail: { check: 'typ', expected, found: typ } });
}
