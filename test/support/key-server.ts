// A real node:http issuer on 127.0.0.1 for the remote-key tests: serves discovery and a
// JWK Set, lets a test swap any route's handler, and counts requests per path.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from './vectors.js';

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export interface KeyServer {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** origin + "/oidc", Logto-shaped. */
  readonly issuer: string;
  readonly discoveryPath: string;
  readonly jwksPath: string;
  /** The JWK Set the default JWKS route serves; assign to rotate. */
  jwks: unknown;
  /** Extra headers on the default JWKS route (e.g. cache-control). */
  jwksHeaders: Record<string, string>;
  /** Replace a path's handler (undefined restores the default). */
  route(path: string, handler: Handler | undefined): void;
  /** Requests seen for a path so far. */
  count(path: string): number;
  close(): Promise<void>;
}

export async function startKeyServer(jwks: unknown): Promise<KeyServer> {
  const counts = new Map<string, number>();
  const routes = new Map<string, Handler>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const handler = routes.get(path) ?? defaults.get(path);
    if (handler === undefined) sendJson(response, 404, { error: 'not found' });
    else handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}/oidc`;
  const keyServer: KeyServer = {
    origin, issuer,
    discoveryPath: '/oidc/.well-known/openid-configuration',
    jwksPath: '/oidc/jwks',
    jwks,
    jwksHeaders: {},
    route: (path, handler) => { if (handler) routes.set(path, handler); else routes.delete(path); },
    count: (path) => counts.get(path) ?? 0,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const defaults = new Map<string, Handler>([
    [keyServer.discoveryPath, (_, response) => sendJson(response, 200, { issuer, jwks_uri: `${origin}${keyServer.jwksPath}` })],
    [keyServer.jwksPath, (_, response) => sendJson(response, 200, keyServer.jwks, keyServer.jwksHeaders)],
  ]);
  return keyServer;
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

// --- keys and tokens from the openssl fixtures ---------------------------------------------

const fixtureJwks = JSON.parse(readFileSync(join(FIXTURES_DIR, 'jwks.json'), 'utf8')) as { keys: { kid: string }[] };

/** The public JWK with this kid from fixtures/jwks.json (kids are `<alg>-1`). */
export function fixtureJwk(kid: string): Record<string, unknown> {
  const jwk = fixtureJwks.keys.find((key) => key.kid === kid);
  if (jwk === undefined) throw new Error(`no ${kid} in fixtures/jwks.json`);
  return jwk;
}

/** A bad JWK from fixtures/jwk/ (`rsa-1024`, `ec-private`, `ec-offcurve`). */
export function badFixtureJwk(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'jwk', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

const SIGNERS = {
  ES256: { file: 'es256.pem', hash: 'sha256' },
  ES384: { file: 'es384.pem', hash: 'sha384' },
} as const;

const privateKeys = new Map<string, KeyObject>();

/** A compact JWS signed by node:crypto with a fixture key (the signer is not our code). */
export function signToken(alg: keyof typeof SIGNERS, kid: string | undefined, claims: object = { sub: randomUUID() }): string {
  const { file, hash } = SIGNERS[alg];
  const privateKey = privateKeys.get(file) ?? createPrivateKey(readFileSync(join(FIXTURES_DIR, 'keys', file)));
  privateKeys.set(file, privateKey);
  // typ at+jwt, as Logto signs access tokens (RFC 9068 §2.1): the README's examples check it.
  const header = Buffer.from(JSON.stringify(kid === undefined ? { alg, typ: 'at+jwt' } : { alg, typ: 'at+jwt', kid })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signingInput = `${header}.${payload}`;
  const signature = sign(hash, Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
