// Request headers → the bearer token string (RFC 6750 §2.1), or one of the guide's three
// errors. Accepts every headers shape Node users have: IncomingHttpHeaders (lower-case keys,
// string | string[] values), the fetch Headers class, or a plain object in any capitalisation.

import { AuthError } from './errors.js';

export type HeadersInput =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// (RFC 9449 §7.1 uses the same grammar, token68, for the DPoP scheme).
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

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
  const authorization = readAuthorization(headers);
  if (authorization === undefined || authorization === '') throw new AuthError('auth.authorization_header_missing');

  // RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token. Like the guide, we accept exactly
  // one space: anything else is not "<scheme> <token>".
  const space = authorization.indexOf(' ');
  if (space === -1 || authorization.indexOf(' ', space + 1) !== -1) {
    throw new AuthError('auth.authorization_token_invalid_format');
  }
  // RFC 7235 §2.1: the auth-scheme is case-insensitive.
  const scheme = authorization.slice(0, space).toLowerCase();
  const token = authorization.slice(space + 1);
  if (!schemes.includes(scheme)) throw new AuthError('auth.authorization_token_type_not_supported');
  if (!B64TOKEN.test(token)) throw new AuthError('auth.authorization_token_invalid_format');
  return { scheme, token };
}

// Several Authorization values are ambiguous (which one did the client mean?), so they are
// a format error rather than a guess. Non-string values cannot be credentials at all.
function readAuthorization(headers: HeadersInput | null | undefined): string | undefined {
  const values = readHeaderValues(headers, 'authorization');
  if (values.length > 1) throw new AuthError('auth.authorization_token_invalid_format');
  const value = values[0];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AuthError('auth.authorization_token_invalid_format');
  return value;
}

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
