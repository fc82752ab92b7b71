// Request headers → the bearer token string (RFC 6750 §2.1), or one of the guide's three
// errors. Accepts every headers shape Node users have: IncomingHttpHeaders (lower-case keys,
// string | string[] values), the fetch Headers class, or a plain object in any capitalisation.

import { AuthError, type AuthErrorCode, type AuthErrorDetail } from './errors.js';

export type HeadersInput =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// (RFC 9449 §7.1 uses the same grammar, token68, for the DPoP scheme). Checked as two scans
// that need no backtracking, half the cost of one anchored pattern with its `=*$` tail: no
// character outside the set and "=", and "=" only as a run at the end after another character.
const OUTSIDE_B64TOKEN = /[^A-Za-z0-9\-._~+/=]/;
const PADDING = /^=+$/;

function isB64token(token: string): boolean {
  if (OUTSIDE_B64TOKEN.test(token)) return false;
  const padding = token.indexOf('=');
  return padding === -1 ? token.length > 0 : padding > 0 && PADDING.test(token.slice(padding));
}

export function extractBearerToken(headers: HeadersInput | null | undefined): string {
  return extractCredentials(headers, ['bearer']).token;
}

/**
 * The Authorization header as `{ scheme, token }`, the scheme lower-cased and one of
 * `schemes` (given in lower case). Bearer is the core's only scheme; the DPoP leaf also
 * accepts `dpop` (RFC 9449 §7.1), whose credentials have the same shape.
 */
export function extractCredentials(
  headers: HeadersInput | null | undefined, schemes: readonly string[],
): { readonly scheme: string; readonly token: string } {
  // Several Authorization values are ambiguous (which one did the client mean?), so they are
  // a format error rather than a guess. Non-string values cannot be credentials at all.
  const values = readHeaderValues(headers, 'authorization');
  if (values.length > 1) throw headerError('auth.authorization_token_invalid_format', 'several_values');
  const authorization = values[0];
  if (authorization === undefined || authorization === '') throw headerError('auth.authorization_header_missing', 'missing');
  if (typeof authorization !== 'string') throw headerError('auth.authorization_token_invalid_format', 'not_a_string');

  // RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token. Like the guide, we accept exactly
  // one space: anything else is not "<scheme> <token>".
  const space = authorization.indexOf(' ');
  if (space === -1 || authorization.indexOf(' ', space + 1) !== -1) {
    throw headerError('auth.authorization_token_invalid_format', 'not_scheme_space_token');
  }
  // RFC 7235 §2.1: the auth-scheme is case-insensitive.
  const scheme = authorization.slice(0, space).toLowerCase();
  const token = authorization.slice(space + 1);
  if (!schemes.includes(scheme)) throw headerError('auth.authorization_token_type_not_supported', 'scheme_not_supported');
  if (!isB64token(token)) throw headerError('auth.authorization_token_invalid_format', 'not_b64token');
  return { scheme, token };
}

type HeaderFailure = Extract<AuthErrorDetail, { check: 'authorization' }>['reason'];

const headerError = (code: AuthErrorCode, reason: HeaderFailure): AuthError => new AuthError(code, { detail: { check: 'authorization', reason } });

/**
 * Every value of the header `name` (lower case), whatever the headers' shape: names compared
 * case-insensitively, arrays flattened. The fetch Headers class joins repeated fields with
 * ", ", so there a repeated field arrives as one value; callers whose values cannot contain
 * ", " (a token, a compact JWS) see it refused by their own syntax rule.
 */
export function readHeaderValues(headers: HeadersInput | null | undefined, name: string): unknown[] {
  if (typeof headers !== 'object' || headers === null) return [];
  if (typeof headers.get === 'function') {
    const value = (headers as { get(name: string): string | null }).get(name);
    return value === null || value === undefined ? [] : [value];
  }
  const values: unknown[] = [];
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const candidate = (headers as Record<string, unknown>)[key];
    if (Array.isArray(candidate)) values.push(...(candidate as unknown[]));
    else if (candidate !== undefined) values.push(candidate);
  }
  return values;
}
