// OpenID Connect Discovery 1.0: the issuer's configuration document → its jwks_uri.

import { AuthError } from '../errors.js';
import { fetchJson, type FetchLimits } from './fetch-json.js';
import { parseKeyUrl } from './url-policy.js';

/**
 * Where `issuer` publishes its configuration, or `undefined` if `issuer` is not one we may
 * fetch from (url-policy.ts) or is not an issuer identifier: OIDC Core §2 and RFC 8414 §2
 * forbid a query or fragment in it.
 */
export function discoveryUrl(issuer: string): URL | undefined {
  const url = parseKeyUrl(issuer);
  if (url === undefined || url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#')) return undefined;
  // §4.1: the issuer + "/.well-known/openid-configuration", appended to the issuer's path
  // (https://t.logto.app/oidc → …/oidc/.well-known/…); "any terminating / MUST be removed
  // before appending".
  url.pathname = `${url.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`;
  return url;
}

/** Fetches the issuer's configuration and returns its `jwks_uri`, checked against the URL policy. */
export async function discoverJwksUri(issuer: string, limits: FetchLimits): Promise<URL> {
  const url = discoveryUrl(issuer);
  if (url === undefined) throw new AuthError('auth.discovery_invalid', { cause: new Error('the issuer is not an https URL') });
  const { document } = await fetchJson(url, limits, 'auth.discovery_invalid');

  // §4.3: "The issuer value returned MUST be identical to the Issuer URL that was used as the
  // prefix to /.well-known/openid-configuration" — a plain string comparison, no normalising.
  // Otherwise one issuer could hand out keys that sign tokens for another.
  if (document['issuer'] !== issuer) {
    throw new AuthError('auth.discovery_issuer_mismatch', { cause: new Error(`GET ${url.href}: issuer is ${JSON.stringify(document['issuer'])}`) });
  }
  // §3: jwks_uri is REQUIRED. Checked before anything is fetched from it.
  const jwksUri = document['jwks_uri'];
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
    throw new AuthError('auth.discovery_invalid', { cause: new Error(`GET ${url.href}: jwks_uri is missing or not a URL`) });
  }
  const jwksUrl = parseKeyUrl(jwksUri);
  if (jwksUrl === undefined) throw new AuthError('auth.jwks_uri_insecure', { cause: new Error(`GET ${url.href}: jwks_uri ${jwksUri} is not https (nor http to loopback)`) });
  return jwksUrl;
}
