// What the adapter tests share: a verifier over a static fixture key, tokens signed by
// node:crypto, and the exact response every adapter must send for a refusal.

import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier } from '../../src/verifier.js';
import { AuthError, type AuthErrorCode } from '../../src/errors.js';
import { fixtureJwk, signToken } from './key-server.js';

export const ISSUER = 'https://issuer.test/oidc';
export const AUDIENCE = 'https://api.test';

export const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [fixtureJwk('es384-1')] } });

/** A token for our issuer and audience, signed with the fixture key; `expiresIn` seconds (negative: expired). */
export function token(scope = 'read:profile', expiresIn = 60): string {
  const now = Math.floor(Date.now() / 1000);
  return signToken('ES384', 'es384-1', { sub: 'user_123', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + expiresIn, scope });
}

/** The status, headers and body every adapter must answer `code` with (from AuthError's own pieces). */
export function expectedRefusal(code: AuthErrorCode, requiredScopes?: string[]): { status: number; headers: Record<string, string>; body: unknown } {
  const error = new AuthError(code, { requiredScopes });
  return { status: error.status, headers: error.headers, body: error.body };
}

/** A few request shapes and what each must end as, for every adapter. */
export const CASES: Array<{ name: string; authorization: () => string | undefined; scopes?: string[]; expect: AuthErrorCode | 'ok' }> = [
  { name: 'valid token', authorization: () => `Bearer ${token()}`, expect: 'ok' },
  { name: 'missing header', authorization: () => undefined, expect: 'auth.authorization_header_missing' },
  { name: 'malformed header', authorization: () => 'Bearer a b', expect: 'auth.authorization_token_invalid_format' },
  { name: 'expired token', authorization: () => `Bearer ${token('read:profile', -60)}`, expect: 'auth.jwt_expired' },
  { name: 'missing scope', authorization: () => `Bearer ${token()}`, scopes: ['admin'], expect: 'auth.insufficient_scope' },
  { name: 'granted scope', authorization: () => `Bearer ${token('read:profile admin')}`, scopes: ['admin'], expect: 'ok' },
];

// A real node:http server on 127.0.0.1 with `listener`, for one callback.
export async function withServer(listener: RequestListener, use: (url: string) => Promise<void>): Promise<void> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Status, the headers that matter, and the JSON body of a response. */
export async function readResponse(response: Response): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
  const headers: Record<string, string> = {};
  for (const name of ['www-authenticate', 'cache-control', 'content-type', 'retry-after']) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, headers, body: await response.json() };
}

