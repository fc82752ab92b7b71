// Request headers → the bearer token string (RFC 6750 §2.1), or one of the guide's three
// errors. Accepts every headers shape Node users have: IncomingHttpHeaders (lower-case keys,
// string | string[] values), the fetch Headers class, or a plain object in any capitalisation.

import { AuthError, type AuthErrorCode, type AuthErrorDetail } from './errors.js';

export type HeadersInput =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// Checked as two scans that need no backtracking, half the cost of one anchored pattern
// with its `=*$` tail: no character outside the set and "=", and "=" only as a run at the end
// after at least one other character.
const OUTSIDE_B64TOKEN = /[^A-Za-z0-9\-._~+/=]/;
const PADDING = /^=+$/;

function isB64token(token: string): boolean {
  if (OUTSIDE_B64TOKEN.test(token)) return false;
  const padding = token.indexOf('=');
  return padding === -1 ? token.length > 0 : padding > 0 && PADDING.test(token.slice(padding));
}

export function extractBearerToken(headers: HeadersInput | null | undefined): string {
  const authorization = readAuthorization(headers);
  if (authorization === undefined || authorization === '') throw headerError('auth.authorization_header_missing', 'missing');

  // RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token. Like the guide, we accept exactly
  // one space: anything else is not "<scheme> <token>".
  const space = authorization.indexOf(' ');
  if (space === -1 || authorization.indexOf(' ', space + 1) !== -1) {
    throw headerError('auth.authorization_token_invalid_format', 'not_scheme_space_token');
  }
  const scheme = authorization.slice(0, space);
  const token = authorization.slice(space + 1);
  // RFC 7235 §2.1: the auth-scheme is case-insensitive.
  if (scheme.toLowerCase() !== 'bearer') throw headerError('auth.authorization_token_type_not_supported', 'scheme_not_bearer');
  if (!isB64token(token)) throw headerError('auth.authorization_token_invalid_format', 'not_b64token');
  return token;
}

type HeaderFailure = Extract<AuthErrorDetail, { check: 'authorization' }>['reason'];

function headerError(code: AuthErrorCode, reason: HeaderFailure): AuthError {
  return new AuthError(code, { detail: { check: 'authorization', reason } });
}

// Several Authorization values are ambiguous (which one did the client mean?), so they are
// a format error rather than a guess. Non-string values cannot be credentials at all.
function readAuthorization(headers: HeadersInput | null | undefined): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof headers.get === 'function') {
    // The fetch Headers class joins repeated fields with ", ", which the single-space rule refuses.
    return (headers as { get(name: string): string | null }).get('authorization') ?? undefined;
  }
  let value: unknown;
  let found = 0;
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() !== 'authorization') continue;
    const candidate = (headers as Record<string, unknown>)[name];
    if (candidate === undefined) continue;
    value = candidate;
    found++;
  }
  if (found > 1) throw headerError('auth.authorization_token_invalid_format', 'several_values');
  if (Array.isArray(value)) {
    if (value.length > 1) throw headerError('auth.authorization_token_invalid_format', 'several_values');
    value = value[0];
  }
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw headerError('auth.authorization_token_invalid_format', 'not_a_string');
  return value;
}
