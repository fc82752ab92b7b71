// OpenID Connect Discovery 1.0: the issuer's configuration document → its jwks_uri.

import { AuthError, type AuthErrorCode } from '../errors.js';
import { own } from '../json.js';
import { fetchJson, type FetchLimits } from './fetch-json.js';
import { parseDiscoveredKeyUrl, parseKeyUrl } from './url-policy.js';

/**
 * Where `issuer` publishes its configuration, or `undefined` if `issuer` is not one we may
 * fetch from (url-policy.ts) or is not an issuer identifier: OIDC Core §2 and RFC 8414 §2
 * forbid a query or fragment in it.
 */
export function discoveryUrl(issuer: string): URL | undefined {
  const url = parseKeyUrl(issuer);
  if (url === undefined || issuer.includes('?') || issuer.includes('#')) return undefined;
  // §4.1: the issuer + "/.well-known/openid-configuration", appended to the issuer's path
  // (https://t.logto.app/oidc → …/oidc/.well-known/…); "any terminating / MUST be removed
  // before appending".
  url.pathname = `${url.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`;
  return url;
}

/** Fetches the issuer's configuration and returns its `jwks_uri`, checked against the URL policy. */
export async function discoverJwksUri(issuer: string, limits: FetchLimits): Promise<URL> {
  const url = discoveryUrl(issuer);
  const failure = (code: AuthErrorCode, reason: string) => new AuthError(code, { cause: new Error(`${url?.href ?? issuer} ${reason}`) });
  if (url === undefined) throw failure('auth.discovery_invalid', 'is not an https issuer URL');
  // The code names the step that failed, so an operator knows which URL to check: a discovery
  // document that cannot be fetched (unreachable, timed out, non-2xx — most often a mistyped
  // issuer) is auth.discovery_invalid like one that cannot be used.
  const { document } = await fetchJson(url, limits, 'auth.discovery_invalid', 'auth.discovery_invalid');
  // Own members only: a polluted Object.prototype must not supply either (src/json.ts).
  const documentIssuer = own(document, 'issuer');
  const jwksUri = own(document, 'jwks_uri');
  // §4.3: "The issuer value returned MUST be identical to the Issuer URL that was used as the
  // prefix to /.well-known/openid-configuration" — a plain string comparison, no normalising.
  // Otherwise one issuer could hand out keys that sign tokens for another.
  if (documentIssuer !== issuer) throw failure('auth.discovery_issuer_mismatch', `names issuer ${JSON.stringify(documentIssuer)}`);
  // §3: jwks_uri is REQUIRED. It passes the URL policy before anything is fetched from it.
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) throw failure('auth.discovery_invalid', 'has no jwks_uri URL');
  const jwksUrl = parseDiscoveredKeyUrl(jwksUri, url);
  if (jwksUrl === undefined) throw failure('auth.jwks_uri_insecure', `names jwks_uri ${jwksUri}: not https (nor http from a loopback http issuer)`);
  return jwksUrl;
}
