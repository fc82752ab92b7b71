// Every way verification can fail, as one table, and the one error type that carries it.
//
// RFC 6750 §3 defines the `WWW-Authenticate: Bearer` challenge and its three error codes;
// §3.1 says a request that carried no Bearer credentials gets a challenge *without* an
// error attribute. `error: undefined` in the table below means exactly that case.

/** The three RFC 6750 §3.1 error codes a Bearer challenge can carry. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';
/** RFC 9449 §7.1 and §9 add two error codes to the challenge of the DPoP scheme. */
export type DpopErrorCode = 'invalid_dpop_proof' | 'use_dpop_nonce';

interface CodeSpec {
  readonly status: 401 | 403 | 503;
  readonly error: BearerErrorCode | DpopErrorCode | undefined;
  readonly message: string;
}

// Messages are fixed text: they never echo the token, a header or a claim value, because
// those are attacker-controlled and end up in logs and response bodies.
const CODES = {
  // Bearer extraction (RFC 6750 §2.1, the guide's three codes).
  'auth.authorization_header_missing': { status: 401, error: undefined, message: 'The Authorization header is missing.' },
  'auth.authorization_token_invalid_format': { status: 401, error: 'invalid_request', message: 'The Authorization header is not of the form: Bearer <token>.' },
  'auth.authorization_token_type_not_supported': { status: 401, error: undefined, message: 'The Authorization scheme is not Bearer.' },

  // Compact JWS (RFC 7515).
  'auth.token_too_large': { status: 401, error: 'invalid_token', message: 'The token is larger than this server accepts.' },
  'auth.jws_malformed': { status: 401, error: 'invalid_token', message: 'The token is not a compact JWS of three segments.' },
  'auth.jwe_not_supported': { status: 401, error: 'invalid_token', message: 'The token is an encrypted JWE; only signed JWS tokens are accepted.' },
  'auth.base64url_invalid': { status: 401, error: 'invalid_token', message: 'A token segment is not strict base64url.' },
  'auth.jws_header_invalid': { status: 401, error: 'invalid_token', message: 'The token header is not a valid JWS protected header.' },
  'auth.jws_alg_not_allowed': { status: 401, error: 'invalid_token', message: 'The token is signed with an algorithm this server does not accept.' },
  'auth.jws_crit_unsupported': { status: 401, error: 'invalid_token', message: 'The token header lists critical extensions this server does not understand.' },
  'auth.jws_b64_unsupported': { status: 401, error: 'invalid_token', message: 'Unencoded JWS payloads (RFC 7797) are not accepted.' },
  'auth.jws_signature_invalid': { status: 401, error: 'invalid_token', message: 'The token signature is invalid.' },

  // Keys (RFC 7517, RFC 7518 §6).
  'auth.jwk_invalid': { status: 401, error: 'invalid_token', message: 'The signing key is not a valid public JWK.' },
  'auth.jwk_unsupported': { status: 401, error: 'invalid_token', message: 'The signing key type or curve is not supported.' },
  'auth.jwk_private_key': { status: 401, error: 'invalid_token', message: 'The key set holds a private key; refusing to use it.' },
  'auth.jwk_rsa_too_small': { status: 401, error: 'invalid_token', message: 'The RSA key is shorter than 2048 bits.' },
  'auth.jwk_not_for_signature': { status: 401, error: 'invalid_token', message: 'The key is not meant for verifying signatures (use / key_ops).' },
  'auth.jwk_alg_mismatch': { status: 401, error: 'invalid_token', message: 'The key does not allow the token\'s algorithm.' },
  'auth.jwks_key_not_found': { status: 401, error: 'invalid_token', message: 'No key in the key set matches the token.' },

  // Claims (RFC 7519 §4.1, RFC 9068 §4).
  'auth.jwt_payload_invalid': { status: 401, error: 'invalid_token', message: 'The token payload is not a JSON object.' },
  'auth.jwt_claim_invalid': { status: 401, error: 'invalid_token', message: 'A registered claim has the wrong JSON type.' },
  'auth.jwt_exp_missing': { status: 401, error: 'invalid_token', message: 'The token has no expiry (exp) claim.' },
  'auth.jwt_expired': { status: 401, error: 'invalid_token', message: 'The token has expired.' },
  'auth.jwt_not_yet_valid': { status: 401, error: 'invalid_token', message: 'The token is not valid yet (nbf).' },
  'auth.jwt_iat_in_future': { status: 401, error: 'invalid_token', message: 'The token was issued in the future (iat).' },
  'auth.jwt_too_old': { status: 401, error: 'invalid_token', message: 'The token was issued too long ago (iat).' },
  'auth.jwt_iat_missing': { status: 401, error: 'invalid_token', message: 'The token has no issued-at (iat) claim, which this API requires.' },
  'auth.jwt_issuer_mismatch': { status: 401, error: 'invalid_token', message: 'The token was issued by an untrusted issuer.' },
  'auth.jwt_audience_mismatch': { status: 401, error: 'invalid_token', message: 'The token is not meant for this API (aud).' },
  'auth.jwt_typ_mismatch': { status: 401, error: 'invalid_token', message: 'The token type (typ) is not the expected one.' },
  'auth.insufficient_scope': { status: 403, error: 'insufficient_scope', message: 'The token lacks a scope this resource requires.' },

  // Organizations (the Logto leaf, src/logto/): the token is valid, but not for this
  // organization. Logto's guides answer 403, like a missing scope.
  'auth.organization_id_invalid': { status: 403, error: 'insufficient_scope', message: 'The requested organization id is not a valid organization id.' },
  'auth.organization_mismatch': { status: 403, error: 'insufficient_scope', message: 'The token is for another organization.' },
  'auth.organization_token_required': { status: 403, error: 'insufficient_scope', message: 'This resource needs a token for its organization; the token is not for any organization.' },

  // Remote keys: the server's side failed, not the client's (503).
  'auth.jwks_unavailable': { status: 503, error: undefined, message: 'The signing keys could not be fetched.' },
  'auth.jwks_invalid': { status: 503, error: undefined, message: 'The key set document is not a valid JWK Set.' },
  'auth.jwks_no_usable_key': { status: 503, error: undefined, message: 'The key set holds no key this server can use.' },
  'auth.discovery_invalid': { status: 503, error: undefined, message: 'The OpenID Provider configuration could not be used.' },
  'auth.discovery_issuer_mismatch': { status: 503, error: undefined, message: 'The OpenID Provider configuration names a different issuer.' },
  'auth.jwks_uri_insecure': { status: 503, error: undefined, message: 'The jwks_uri is not https (or loopback).' },

  // DPoP (RFC 9449), used only by the src/dpop/ leaf. A proof that fails a §4.3 check is
  // invalid_dpop_proof; a token that fails its binding is invalid_token (§7.1).
  'auth.dpop_proof_missing': { status: 401, error: 'invalid_dpop_proof', message: 'The request uses the DPoP scheme but carries no DPoP proof header.' },
  'auth.dpop_proof_multiple': { status: 401, error: 'invalid_dpop_proof', message: 'The request carries more than one DPoP proof.' },
  'auth.dpop_proof_too_large': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof is larger than this server accepts.' },
  'auth.dpop_proof_malformed': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof is not one well-formed compact JWS.' },
  'auth.dpop_proof_typ_invalid': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof header typ is not dpop+jwt.' },
  'auth.dpop_proof_alg_not_allowed': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof is signed with an algorithm this server does not accept.' },
  'auth.dpop_proof_jwk_invalid': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof header jwk is missing or is not a usable public key.' },
  'auth.dpop_proof_jwk_private': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof header jwk holds private key members.' },
  'auth.dpop_proof_alg_key_mismatch': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof key does not allow the proof\'s algorithm.' },
  'auth.dpop_proof_signature_invalid': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof signature is invalid.' },
  'auth.dpop_proof_claim_invalid': { status: 401, error: 'invalid_dpop_proof', message: 'A DPoP proof claim (jti, htm, htu, iat, ath, nonce) is missing or has the wrong type.' },
  'auth.dpop_proof_htm_mismatch': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof htm is not the request method.' },
  'auth.dpop_proof_htu_mismatch': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof htu is not the request URL.' },
  'auth.dpop_proof_iat_out_of_window': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof was issued too long ago or in the future (iat).' },
  'auth.dpop_proof_ath_mismatch': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof ath is not the hash of the access token.' },
  'auth.dpop_proof_replayed': { status: 401, error: 'invalid_dpop_proof', message: 'The DPoP proof has been used before (jti).' },
  'auth.dpop_nonce_required': { status: 401, error: 'use_dpop_nonce', message: 'The DPoP proof must carry the nonce from the DPoP-Nonce header.' },
  'auth.dpop_scheme_required': { status: 401, error: undefined, message: 'This resource requires the DPoP authorization scheme.' },
  'auth.dpop_token_not_bound': { status: 401, error: 'invalid_token', message: 'The access token is presented with DPoP but is not bound to a key (cnf.jkt).' },
  'auth.dpop_key_binding_mismatch': { status: 401, error: 'invalid_token', message: 'The access token is bound to another key than the DPoP proof\'s.' },
  'auth.dpop_bound_token_as_bearer': { status: 401, error: 'invalid_token', message: 'The access token is DPoP-bound and cannot be used as a Bearer token.' },
  'auth.dpop_replay_store_unavailable': { status: 503, error: undefined, message: 'The DPoP replay store could not be reached.' },

  // The catch-all: anything unexpected fails closed.
  'auth.verification_failed': { status: 401, error: 'invalid_token', message: 'The token could not be verified.' },
} as const satisfies Record<string, CodeSpec>;

/** Every `auth.*` code an `AuthError` can have (the README's error table). */
export type AuthErrorCode = keyof typeof CODES;

/** Every code, for documentation and for tests that check the table. */
export const AUTH_ERROR_CODES = Object.keys(CODES) as AuthErrorCode[];

/** The realm named in challenges unless the verifier is given another (RFC 6750 §3). */
export const DEFAULT_REALM = 'api';

/** One challenge of a `WWW-Authenticate` value (RFC 7235 §4.1): a scheme and its extra parameters. */
export interface Challenge {
  readonly scheme: string;
  /** Auth-params after realm (and, on the first challenge, after error and scope), e.g. DPoP's algs. */
  readonly params?: Readonly<Record<string, string>>;
}

/**
 * Seconds a client is told to wait after a 503 (`Retry-After`, RFC 9110 §10.2.3) when the
 * key source names no better time: the longest back-off of the default JWKS cache.
 */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

/** What an `AuthError` is built with, besides its code. */
export interface AuthErrorOptions {
  /** For `auth.insufficient_scope`: the scopes the resource needs (the challenge's `scope`). */
  readonly requiredScopes?: readonly string[] | undefined;
  /** The challenge's realm; default `"api"`. */
  readonly realm?: string | undefined;
  /** RFC 9728 §5.1: where the protected resource metadata lives; named in 401 challenges. */
  readonly resourceMetadata?: string | undefined;
  /** For a 503: whole seconds until the keys may be fetched again. Default 30. */
  readonly retryAfter?: number | undefined;
  /** The underlying failure, for logs; never sent to the client. */
  readonly cause?: unknown;
  /** Which check failed, for the server's logs (AuthErrorDetail); never sent to the client. */
  readonly detail?: AuthErrorDetail | undefined;
  /**
   * The challenges to render, first the one that carries error and scope; default one
   * Bearer challenge. A leaf offering another scheme (DPoP) passes its own.
   */
  readonly challenges?: readonly Challenge[] | undefined;
  /**
   * More response headers, lower-case names, e.g. `dpop-nonce` from the DPoP leaf (RFC 9449
   * §8.1). They cannot replace the headers AuthError sets itself.
   */
  readonly extraHeaders?: Readonly<Record<string, string>> | undefined;
}

/** A JSON value's type as a word, for details that name a wrong type without its value. */
export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object' | 'undefined';

/**
 * For the server's logs only: which check refused the token and, where the values are not
 * secret, what was expected and what was found. Never the token, its signature, key material,
 * or a claim value other than `iss`, `aud`, `exp`, `nbf` and `iat`. Built only on failure.
 * Not enumerable, so `JSON.stringify(error)` and response bodies never carry it; read
 * `error.detail` explicitly. Times are seconds since the epoch, `tolerance` the clock
 * tolerance in seconds.
 */
export type AuthErrorDetail =
  // Bearer (RFC 6750 §2.1).
  | { readonly check: 'authorization'; readonly reason: 'missing' | 'several_values' | 'not_a_string' | 'not_scheme_space_token' | 'scheme_not_supported' | 'not_b64token' }
  // Compact JWS (RFC 7515 §7.1) and its protected header (§4.1).
  | { readonly check: 'size'; readonly length: number; readonly maxTokenLength: number }
  | { readonly check: 'segments'; readonly segments: number; readonly empty?: 'header' | 'signature' }
  | { readonly check: 'base64url'; readonly segment?: 'header' | 'payload' | 'signature' }
  | { readonly check: 'header'; readonly member?: 'alg' | 'kid' | 'typ' | 'cty'; readonly expected: 'JSON object' | 'string'; readonly found?: JsonType }
  | { readonly check: 'alg'; readonly alg: string; readonly allowed: readonly string[] }
  | { readonly check: 'crit' }
  | { readonly check: 'b64'; readonly found: JsonType }
  // Keys (RFC 7517) and the signature.
  | { readonly check: 'key'; readonly reason: 'kid_unknown' | 'no_key_for_alg' | 'several_keys' | 'key_does_not_allow_alg'; readonly kid: string | undefined; readonly alg: string; readonly knownKids: readonly (string | undefined)[] }
  | { readonly check: 'jwks'; readonly expected: string; readonly found: string }
  | { readonly check: 'jwk'; readonly member: string; readonly expected: string; readonly found?: string | number }
  | { readonly check: 'signature'; readonly alg: string; readonly kid: string | undefined }
  // Claims (RFC 7519 §4.1, RFC 9068).
  | { readonly check: 'payload'; readonly expected: 'JSON object' }
  | { readonly check: 'claim_type'; readonly claim: string; readonly expected: 'string' | 'NumericDate' | 'string or array of strings'; readonly found: JsonType }
  | { readonly check: 'typ'; readonly expected: string; readonly found: string | undefined }
  | { readonly check: 'iss'; readonly expected: string; readonly found: string | undefined }
  | { readonly check: 'aud'; readonly expected: readonly string[]; readonly found: string | readonly string[] | undefined }
  | { readonly check: 'exp'; readonly exp: number | undefined; readonly now: number; readonly tolerance: number }
  | { readonly check: 'nbf'; readonly nbf: number; readonly now: number; readonly tolerance: number }
  | { readonly check: 'iat'; readonly iat: number | undefined; readonly now: number; readonly tolerance: number; readonly maxTokenAge?: number }
  | { readonly check: 'clock'; readonly now: number }
  | { readonly check: 'scope'; readonly missing: readonly string[]; readonly required: readonly string[] }
  // Logto organizations (the src/logto/ leaf): the route's organization against the token's.
  // `found` is the route's id when it is a string (from the request, so at most its first 129
  // characters), `type` its JSON type; `organizationId` and `audience` are the signed token's
  // organization_id and aud.
  | { readonly check: 'organization'; readonly reason: 'id_invalid'; readonly expected: string; readonly type: JsonType; readonly found: string | undefined }
  | { readonly check: 'organization'; readonly reason: 'mismatch' | 'token_required'; readonly expected: string; readonly organizationId: string | undefined; readonly audience: readonly string[] }
  // Anything else: an exception we did not foresee (see `cause`), or a code raised without detail.
  | { readonly check: 'unexpected' }
  | { readonly check: 'unspecified' };

const UNSPECIFIED: AuthErrorDetail = Object.freeze({ check: 'unspecified' });

/**
 * The JSON body of an error response: the same three members from the demo, every adapter
 * and the README. `error` is the RFC 6750 error code when there is one; otherwise a word
 * for the status: `unauthorized` (401 without Bearer credentials, RFC 6750 §3.1) or
 * `temporarily_unavailable` (503, the keys could not be loaded; RFC 6749 §4.1.2.1's word).
 */
export interface AuthErrorBody {
  readonly error: BearerErrorCode | DpopErrorCode | 'unauthorized' | 'temporarily_unavailable';
  /** The stable `auth.*` code, e.g. `auth.jwt_expired`. */
  readonly code: AuthErrorCode;
  /** The fixed human message for the code; never echoes the token or a claim value. */
  readonly message: string;
}

/**
 * Why a request was refused: a stable `code`, its HTTP `status`, the RFC 6750 `error`, and
 * the ready response pieces (`body`, `headers`). Every verification failure is one of these.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  /** The stable code from the table in the README, e.g. `auth.jwt_expired`. */
  readonly code: AuthErrorCode;
  /** The HTTP status to answer: 401, 403 (insufficient scope) or 503 (keys unavailable). */
  readonly status: 401 | 403 | 503;
  /** The RFC 6750 (or RFC 9449) error code, or undefined when the request carried no credentials. */
  readonly error: BearerErrorCode | DpopErrorCode | undefined;
  /** For insufficient_scope: the scopes the resource needs (RFC 6750 §3 `scope`). */
  readonly requiredScopes: readonly string[] | undefined;
  /** The realm named in the challenge (RFC 6750 §3). */
  readonly realm: string;
  /** Server-side only, never serialised (not enumerable): see AuthErrorDetail. */
  declare readonly detail: AuthErrorDetail;
  /** The protected resource metadata URL (RFC 9728 §5.1), or undefined. */
  readonly resourceMetadata: string | undefined;
  /** For a 503: seconds the client should wait before retrying (`Retry-After`); else undefined. */
  readonly retryAfter: number | undefined;
  readonly challenges: readonly Challenge[];
  /** Headers a leaf adds to the response (the DPoP nonce); included in `headers`. */
  readonly extraHeaders: Readonly<Record<string, string>>;

  /** Builds the error for `code`; status, RFC 6750 error and message come from the code table. */
  constructor(code: AuthErrorCode, options: AuthErrorOptions = {}) {
    const spec: CodeSpec = CODES[code];
    super(spec.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = spec.status;
    this.error = spec.error;
    this.requiredScopes = options.requiredScopes;
    this.realm = options.realm ?? DEFAULT_REALM;
    Object.defineProperty(this, 'detail', { value: options.detail ?? UNSPECIFIED, enumerable: false });
    this.resourceMetadata = options.resourceMetadata;
    this.retryAfter = spec.status === 503 ? retryAfterSeconds(options.retryAfter) : undefined;
    this.challenges = options.challenges ?? BEARER_ONLY;
    this.extraHeaders = options.extraHeaders ?? NO_HEADERS;
  }

  /** The response's JSON body, `{ error, code, message }`: `JSON.stringify(authError.body)`. */
  get body(): AuthErrorBody {
    const error = this.error ?? (this.status === 503 ? 'temporarily_unavailable' : 'unauthorized');
    return { error, code: this.code, message: this.message };
  }

  /**
   * The response headers, lower-case names: `www-authenticate`, `cache-control: no-store`
   * (an error about credentials must not be cached, RFC 6750 §5.3 and RFC 9111 §5.2.2.5),
   * `content-type` for the JSON `body`, `retry-after` on a 503, and any `extraHeaders`.
   */
  get headers(): Record<string, string> {
    const headers: Record<string, string> = {
      ...this.extraHeaders,
      'www-authenticate': this.wwwAuthenticate,
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
    };
    if (this.retryAfter !== undefined) headers['retry-after'] = String(this.retryAfter);
    return headers;
  }

  /**
   * The ready `WWW-Authenticate` header value (RFC 6750 §3), e.g. `Bearer realm="api",
   * error="invalid_token", …`; several challenges, the first carrying the error, when a leaf
   * passes them (RFC 7235 §4.1).
   */
  get wwwAuthenticate(): string {
    return this.challenges.map((challenge, index) => {
      const params = [`realm=${quotedString(this.realm)}`];
      if (index === 0 && this.error !== undefined) {
        params.push(`error=${quotedString(this.error)}`, `error_description=${quotedString(this.message)}`);
      }
      if (index === 0 && this.requiredScopes !== undefined && this.requiredScopes.length > 0) {
        params.push(`scope=${quotedString(this.requiredScopes.join(' '))}`);
      }
      for (const [name, value] of Object.entries(challenge.params ?? {})) params.push(`${name}=${quotedString(value)}`);
      // RFC 9728 §5.1 defines resource_metadata for the challenge that asks for a token: a 401
      // (on every scheme offered). A 403 answers a token the client already got right; a 503 is ours.
      if (this.resourceMetadata !== undefined && this.status === 401) {
        params.push(`resource_metadata=${quotedString(this.resourceMetadata)}`);
      }
      return `${challenge.scheme} ${params.join(', ')}`;
    }).join(', ');
  }
}

const BEARER_ONLY: readonly Challenge[] = Object.freeze([{ scheme: 'Bearer' }]);
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

// RFC 9110 §5.6.4 quoted-string, for the realm (any printable text, `"` and `\` escaped).
// RFC 6750 §3 further keeps `"` and `\` out of error_description and scope: our messages
// contain neither (a test checks) and scopes are validated as RFC 6749 scope-tokens. Anything
// outside printable ASCII is replaced, never passed on, so no value can break the header.
function quotedString(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&')}"`;
}

// RFC 9110 §10.2.3: delay-seconds is a non-negative integer.
function retryAfterSeconds(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value) || value < 0) return DEFAULT_RETRY_AFTER_SECONDS;
  return Math.ceil(value);
}

/** Whether `value` is an `AuthError` (the same test as `instanceof AuthError`). */
export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}

/** Fail closed: anything that is not already an AuthError becomes `auth.verification_failed`. */
export function toAuthError(error: unknown): AuthError {
  return error instanceof AuthError ? error : new AuthError('auth.verification_failed', { cause: error, detail: { check: 'unexpected' } });
}
