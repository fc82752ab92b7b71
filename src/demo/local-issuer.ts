// A built-in OpenID Provider for development: just enough of one for a resource server.
// It serves OIDC discovery and a JWK Set on loopback, and signs access tokens shaped like
// Logto's. Dev tooling only: it lives in src/demo, which the package never builds or exports.
//
//   GET <issuer>/.well-known/openid-configuration   (OIDC Discovery 1.0 §4)
//   GET <issuer>/jwks                                (RFC 7517 §5)
//
// The issuer is http://127.0.0.1:<port>/oidc, the path Logto uses. The signing key is an
// ES384 key pair (Logto's default) generated at start; nothing here trusts the network.

import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestPath } from './http.js';

/** What signs tokens: the private key, its kid, and the issuer that publishes its public half. */
export interface SigningKey {
  readonly issuer: string;
  readonly kid: string;
  readonly privateKey: KeyObject;
}

export interface TokenRequest {
  readonly audience: string;
  readonly sub?: string;
  /** Space-separated scopes (Logto's `scope` claim). */
  readonly scope?: string;
  /** Seconds from now; negative for an already expired token. Default 3600. */
  readonly expiresIn?: number;
  readonly clientId?: string;
  /** An organization-level API resource token: `aud` stays the API, `organization_id` is this id. */
  readonly organizationId?: string;
  /** An organization token: `aud` is `urn:logto:organization:<id>` instead of the API (Logto's buildOrganizationUrn). */
  readonly organization?: string;
  /** Binds the token to a DPoP key: its RFC 7638 thumbprint becomes `cnf.jkt` (RFC 9449 §6.1). */
  readonly jkt?: string;
}

export interface LocalIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly signingKey: SigningKey;
  mintToken(request: TokenRequest): string;
  close(): Promise<void>;
}

export async function startLocalIssuer(options: { host?: string; port?: number } = {}): Promise<LocalIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const publicJwk = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(publicJwk);

  let issuer = '';
  const server = createServer((req, res) => {
    const path = requestPath(req);
    const body = req.method !== 'GET' ? undefined
      : path === '/oidc/.well-known/openid-configuration' ? discoveryDocument(issuer)
      : path === '/oidc/jwks' ? { keys: [{ ...publicJwk, kid, alg: 'ES384', use: 'sig' }] }
      : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not_found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  issuer = `http://${address}:${port}/oidc`;

  const signingKey: SigningKey = { issuer, kid, privateKey };
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    signingKey,
    mintToken: (request) => mintToken(signingKey, request),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

// What a resource server reads (issuer, jwks_uri), plus three members §3 marks REQUIRED;
// a client that logs users in would need more (authorization_endpoint, ...).
function discoveryDocument(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/jwks`,
    id_token_signing_alg_values_supported: ['ES384'],
    subject_types_supported: ['public'],
    response_types_supported: ['code'],
  };
}

/**
 * Signs a Logto-shaped access token: header {alg ES384, typ at+jwt, kid}, RFC 9068 §2.2 claims.
 * Logto's three kinds: a global API resource token (the default), an organization token
 * (`organization`), an organization-level API resource token (`organizationId`).
 */
export function mintToken(key: SigningKey, request: TokenRequest): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES384', typ: 'at+jwt', kid: key.kid };
  const claims = {
    jti: randomUUID(),
    sub: request.sub ?? 'user_123',
    iat: now,
    exp: now + (request.expiresIn ?? 3600),
    scope: request.scope ?? '',
    client_id: request.clientId ?? 'demo-client',
    iss: key.issuer,
    aud: request.organization === undefined ? request.audience : `urn:logto:organization:${request.organization}`,
    ...(request.organizationId === undefined ? {} : { organization_id: request.organizationId }),
    ...(request.jkt === undefined ? {} : { cnf: { jkt: request.jkt } }),
  };
  const signingInput = `${base64urlJson(header)}.${base64urlJson(claims)}`;
  // RFC 7518 §3.4: an ECDSA JWS signature is R || S, which Node calls ieee-p1363.
  const rawSignature = sign('sha384', Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${rawSignature.toString('base64url')}`;
}

/** The private half as a JWK, so the token CLI can sign with the running issuer's key. */
export function exportSigningKey(key: SigningKey): { issuer: string; kid: string; privateJwk: JsonWebKey } {
  return { issuer: key.issuer, kid: key.kid, privateJwk: key.privateKey.export({ format: 'jwk' }) };
}

export function importSigningKey(saved: { issuer: string; kid: string; privateJwk: JsonWebKey }): SigningKey {
  return { issuer: saved.issuer, kid: saved.kid, privateKey: createPrivateKey({ key: saved.privateJwk, format: 'jwk' }) };
}

// RFC 7638 §3.2: the thumbprint hashes the required members only, in lexicographic order.
function jwkThumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
