// One table for all six example apps: the same request must get the same status, the same
// headers (those a client acts on) and the same JSON body from every stack. Written out by
// hand from RFC 6750 and the README's error table, not computed by clearjwt.

export const AUDIENCE = 'https://api.example.com';

const JSON_ERROR = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
const challenge = (attributes) => ({ ...JSON_ERROR, 'www-authenticate': `Bearer realm="api"${attributes}` });

/** Headers compared on every response; a missing one is compared as null. */
export const HEADERS = ['www-authenticate', 'cache-control', 'content-type', 'retry-after'];

/**
 * `token(mint)` gives the Authorization header (or undefined for none); `headers` is
 * undefined for a 200, whose content type is the framework's own.
 */
export const EXPECTATIONS = [
  {
    name: 'valid token → 200',
    path: '/user/info', authorization: (mint) => `Bearer ${mint({ scope: 'read:profile' })}`,
    status: 200, body: { sub: 'user_123' },
  },
  {
    name: 'admin scope → 200',
    path: '/admin/stats', authorization: (mint) => `Bearer ${mint({ scope: 'read:profile admin' })}`,
    status: 200, body: { sub: 'user_123', admin: true },
  },
  {
    name: 'without the admin scope → 403',
    path: '/admin/stats', authorization: (mint) => `Bearer ${mint({ scope: 'read:profile' })}`,
    status: 403,
    headers: challenge(', error="insufficient_scope", error_description="The token lacks a scope this resource requires.", scope="admin"'),
    body: { error: 'insufficient_scope', code: 'auth.insufficient_scope', message: 'The token lacks a scope this resource requires.' },
  },
  {
    name: 'no Authorization header → 401 without an error attribute',
    path: '/user/info', authorization: () => undefined,
    status: 401, headers: challenge(''),
    body: { error: 'unauthorized', code: 'auth.authorization_header_missing', message: 'The Authorization header is missing.' },
  },
  {
    name: 'malformed header → 401 invalid_request',
    path: '/user/info', authorization: () => 'Bearer a b',
    status: 401,
    headers: challenge(', error="invalid_request", error_description="The Authorization header is not of the form: Bearer <token>."'),
    body: { error: 'invalid_request', code: 'auth.authorization_token_invalid_format', message: 'The Authorization header is not of the form: Bearer <token>.' },
  },
  {
    name: 'malformed token → 401 invalid_token',
    path: '/user/info', authorization: () => 'Bearer not-a-jwt',
    status: 401,
    headers: challenge(', error="invalid_token", error_description="The token is not a compact JWS of three segments."'),
    body: { error: 'invalid_token', code: 'auth.jws_malformed', message: 'The token is not a compact JWS of three segments.' },
  },
  {
    name: 'expired token → 401 invalid_token',
    path: '/user/info', authorization: (mint) => `Bearer ${mint({ scope: 'read:profile', expiresIn: -60 })}`,
    status: 401,
    headers: challenge(', error="invalid_token", error_description="The token has expired."'),
    body: { error: 'invalid_token', code: 'auth.jwt_expired', message: 'The token has expired.' },
  },
];

/**
 * The first request while the issuer is down and no keys were ever loaded: the apps find
 * their keys by OIDC discovery, so the first thing that fails is the discovery document.
 */
export const ISSUER_DOWN = {
  name: 'issuer down, no cached keys → 503',
  path: '/user/info', authorization: (mint) => `Bearer ${mint({ scope: 'read:profile' })}`,
  status: 503,
  // Retry-After is when the key cache will fetch again: 1 s after a first failure.
  headers: { ...challenge(''), 'retry-after': '1' },
  body: { error: 'temporarily_unavailable', code: 'auth.discovery_invalid', message: 'The OpenID Provider configuration could not be used.' },
};
