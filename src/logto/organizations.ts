// Logto organizations, as a leaf over a core verifier: the route says which organization the
// request is for, and the token must be for that organization. Logto issues three kinds of
// access token (Logto docs, "Validate access tokens"):
//
// | token                          | aud                             | organization_id        |
// |--------------------------------|---------------------------------|------------------------|
// | global API resource            | the API resource indicator      | absent                 |
// | organization (permissions)     | urn:logto:organization:<id>     | absent                 |
// | organization-level API resource| the API resource indicator      | the organization's id  |
//
// On an organization route the last two are accepted, for that organization only; a token for
// another organization, or a global token, is refused with 403, as Logto's guides answer.
// Every check of the core still runs first, its audience check included: this leaf only
// narrows the audience for the call to our API and this one organization's URN.

import type { Claims } from '../claims.js';
import { AuthError, toAuthError } from '../errors.js';
import { extractBearerToken, type HeadersInput } from '../bearer.js';
import { jsonType } from '../json.js';
import { decodeCompactJws } from '../jws.js';
import type { Verifier } from '../verifier.js';

/** Logto's audience for organization tokens is this prefix and the organization id (Logto core: buildOrganizationUrn). */
export const ORGANIZATION_URN_PREFIX = 'urn:logto:organization:';

// Logto's ids are short runs of letters and digits. Nothing else is accepted, so an id from a
// request path cannot carry `:` (another URN), a space, a quote or a percent sign into the
// audience we compare with.
const ORGANIZATION_ID = /^[A-Za-z0-9_-]{1,128}$/;
const ORGANIZATION_ID_RULE = '[A-Za-z0-9_-]{1,128}';

export interface OrganizationVerifierOptions {
  /** This API's resource indicator(s): the aud of organization-level API resource tokens. */
  readonly apiAudience: string | readonly string[];
  /** The realm of this leaf's own 403 challenges; give the verifier's. Default "api". */
  readonly realm?: string;
}

export interface OrganizationCallOptions {
  /** The organization this request is for (e.g. from the path); validated, never trusted. */
  readonly organization: string;
  /** Scopes this route requires (organization permissions, or API permissions). */
  readonly scopes?: readonly string[];
}

/** What Logto's guides build by hand, from the claims the core verified. */
export interface OrganizationAuth<Custom extends object = Record<never, never>> {
  /** `organization`: aud names the organization; `organization_api`: our API, with organization_id. */
  readonly kind: 'organization' | 'organization_api';
  readonly subject: string | undefined;
  readonly clientId: string | undefined;
  readonly organizationId: string;
  readonly scopes: readonly string[];
  readonly audience: readonly string[];
  readonly claims: Claims<Custom>;
}

export interface OrganizationVerifier<Custom extends object = Record<never, never>> {
  (headers: HeadersInput | null | undefined, options: OrganizationCallOptions): Promise<OrganizationAuth<Custom>>;
  token(token: string, options: OrganizationCallOptions): Promise<OrganizationAuth<Custom>>;
  ready(): Promise<void>;
}

export function createOrganizationVerifier<Custom extends object = Record<never, never>>(
  verify: Verifier<Custom>, options: OrganizationVerifierOptions,
): OrganizationVerifier<Custom> {
  const apiAudiences = readApiAudience(options);
  const realm = options.realm;

  async function verifyFor(
    run: (call: { scopes: readonly string[]; audience: readonly string[] }) => Promise<Claims<Custom>>,
    token: () => string, call: OrganizationCallOptions,
  ): Promise<OrganizationAuth<Custom>> {
    const { organization, scopes } = readCall(call, realm);
    const organizationUrn = ORGANIZATION_URN_PREFIX + organization;
    let claims: Claims<Custom>;
    try {
      claims = await run({ scopes, audience: [...apiAudiences, organizationUrn] });
    } catch (error) {
      throw (await forAnotherOrganization(error, token, organization, run)) ?? error;
    }
    return organizationAuth(claims, organization, organizationUrn, realm);
  }
  const byHeaders = (headers: HeadersInput | null | undefined, call: OrganizationCallOptions) =>
    verifyFor((core) => verify(headers, core), () => extractBearerToken(headers), call);
  const byToken = (token: string, call: OrganizationCallOptions) =>
    verifyFor((core) => verify.token(token, core), () => token, call);
  return Object.assign(byHeaders, { token: byToken, ready: () => verify.ready() });
}

/** The organization a verified token is for, checked against the route's. */
function organizationAuth<Custom extends object>(
  claims: Claims<Custom>, organization: string, organizationUrn: string, realm: string | undefined,
): OrganizationAuth<Custom> {
  const audience = typeof claims.aud === 'string' ? [claims.aud] : [...(claims.aud ?? [])];
  // The core checked that organization_id, when present, is a string (src/claims.ts).
  const organizationId = claims['organization_id'] as string | undefined;
  const detail = { check: 'organization', expected: organization, organizationId, audience } as const;
  if (organizationId !== undefined && organizationId !== organization) {
    throw new AuthError('auth.organization_mismatch', { realm, detail: { ...detail, reason: 'mismatch' } });
  }
  const kind = audience.includes(organizationUrn) ? 'organization' : 'organization_api';
  // Our API's audience without organization_id: a global token, which grants no organization's rights.
  if (kind === 'organization_api' && organizationId === undefined) {
    throw new AuthError('auth.organization_token_required', { realm, detail: { ...detail, reason: 'token_required' } });
  }
  return Object.freeze({
    kind, subject: claims.sub, clientId: claims.client_id, organizationId: organization,
    scopes: Object.freeze((claims.scope ?? '').split(' ').filter((scope) => scope !== '')),
    audience: Object.freeze(audience), claims,
  });
}

// The core refuses an organization token for another organization as an audience mismatch
// (401). The core raises that code only after the signature and the issuer were verified
// (src/claims.ts: checkClaims runs on a verified payload), so the payload read here is signed
// by our issuer: when its aud names some organization, the token is valid but for another
// organization — 403, as Logto's guides answer. Any other token keeps the core's 401.
async function forAnotherOrganization(
  error: unknown, token: () => string, organization: string,
  run: (call: { scopes: readonly string[]; audience: readonly string[] }) => Promise<unknown>,
): Promise<AuthError | undefined> {
  if (!(error instanceof AuthError) || error.code !== 'auth.jwt_audience_mismatch') return undefined;
  let signedPayload: { aud?: unknown; organization_id?: unknown };
  try {
    signedPayload = JSON.parse(decodeCompactJws(token()).payload.toString('utf8')) as typeof signedPayload;
  } catch {
    return undefined;
  }
  // The core checked the types of aud (strings) and organization_id (a string) before aud.
  const audience = (Array.isArray(signedPayload.aud) ? signedPayload.aud : [signedPayload.aud]) as string[];
  const organizations = audience.filter((value) => typeof value === 'string' && value.startsWith(ORGANIZATION_URN_PREFIX));
  if (organizations.length === 0) return undefined;
  // The core checks aud before the times: run every check again with the token's own
  // organizations as the audience, so that an expired token stays 401 auth.jwt_expired.
  const otherRefusal = await run({ scopes: [], audience: organizations }).then(() => undefined, (other: unknown) => toAuthError(other));
  if (otherRefusal !== undefined) return otherRefusal;
  const organizationId = signedPayload.organization_id as string | undefined;
  const detail = { check: 'organization', reason: 'mismatch', expected: organization, audience, organizationId } as const;
  return new AuthError('auth.organization_mismatch', { realm: error.realm, cause: error, detail });
}

function readApiAudience(options: OrganizationVerifierOptions): readonly string[] {
  const audience: unknown = (options as { apiAudience?: unknown } | undefined)?.apiAudience;
  const list: unknown[] = typeof audience === 'string' ? [audience] : Array.isArray(audience) ? audience : [];
  if (list.length === 0 || !list.every((item) => typeof item === 'string' && item !== '')) {
    throw new TypeError('clearjwt: apiAudience must be a non-empty string or a non-empty array of them');
  }
  for (const name of Object.keys(options)) if (name !== 'apiAudience' && name !== 'realm') throw new TypeError(`clearjwt: unknown option ${JSON.stringify(name)}`);
  return Object.freeze(list as string[]);
}

// A malformed call is the route's bug (TypeError); a malformed organization id comes from the
// request, so it is the client's: an AuthError, before any token is looked at.
function readCall(call: OrganizationCallOptions, realm: string | undefined): { organization: string; scopes: readonly string[] } {
  if (typeof call !== 'object' || call === null) throw new TypeError('clearjwt: verify options must be an object');
  for (const name of Object.keys(call)) {
    if (name !== 'organization' && name !== 'scopes') throw new TypeError(`clearjwt: unknown option ${JSON.stringify(name)}`);
  }
  const id: unknown = call.organization;
  if (typeof id !== 'string' || !ORGANIZATION_ID.test(id)) {
    const found = typeof id === 'string' ? id.slice(0, 129) : undefined;
    throw new AuthError('auth.organization_id_invalid', { realm, detail: { check: 'organization', reason: 'id_invalid', expected: ORGANIZATION_ID_RULE, type: jsonType(id), found } });
  }
  return { organization: call.organization, scopes: call.scopes ?? [] };
}
