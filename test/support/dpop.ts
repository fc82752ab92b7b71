// DPoP proofs and bound access tokens for tests, made with node:crypto alone: the expected
// values (signatures, ath, the cnf.jkt thumbprint) never come from the code under test.

import { constants, createHash, generateKeyPairSync, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Claims } from '../../src/claims.js';
import { REPO_ROOT } from './vectors.js';

export interface ClientKey {
  readonly alg: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey;
  /** RFC 7638 thumbprint, written out here independently of src/jwk-thumbprint.ts. */
  readonly jkt: string;
}

const REQUIRED: Record<string, string[]> = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] };

function thumbprint(jwk: JsonWebKey): string {
  const members = REQUIRED[jwk.kty!]!;
  const canonical = Object.fromEntries(members.map((name) => [name, (jwk as Record<string, unknown>)[name]]));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

export function clientKey(alg: 'ES256' | 'ES384' | 'PS256' | 'RS256' | 'EdDSA' = 'ES256'): ClientKey {
  const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : alg === 'ES384' ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
      : alg === 'EdDSA' ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = pair.publicKey.export({ format: 'jwk' });
  return { alg, privateKey: pair.privateKey, publicJwk, jkt: thumbprint(publicJwk) };
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** base64url(SHA-256(ASCII(token))), RFC 9449 §4.2. */
export const athOf = (token: string) => createHash('sha256').update(token, 'ascii').digest('base64url');

/** Signs `header.payload` with node:crypto the way RFC 7518 says for `alg`. */
export function signJws(alg: string, privateKey: KeyObject, header: unknown, payload: unknown): string {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  const data = Buffer.from(signingInput);
  const signature = alg.startsWith('ES') ? sign(`sha${alg.slice(2)}`, data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    : alg.startsWith('PS') ? sign(`sha${alg.slice(2)}`, data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 })
      : alg.startsWith('RS') ? sign(`sha${alg.slice(2)}`, data, privateKey)
        : sign(null, data, privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

export interface ProofInput {
  key: ClientKey;
  method?: string;
  url?: string;
  accessToken?: string;
  iat?: number;
  /** Replaces or (with undefined) deletes header members. */
  header?: Record<string, unknown>;
  /** Replaces or (with undefined) deletes payload members. */
  claims?: Record<string, unknown>;
  /** Sign with this key instead of key's (the header still carries key's jwk). */
  signer?: KeyObject;
  alg?: string;
}

/** A DPoP proof (RFC 9449 §4.2) for a request, signed with node:crypto. */
export function makeProof(input: ProofInput): string {
  const alg = input.alg ?? input.key.alg;
  const header = dropUndefined({ typ: 'dpop+jwt', alg, jwk: input.key.publicJwk, ...input.header });
  const payload = dropUndefined({
    jti: randomUUID(),
    htm: input.method ?? 'GET',
    htu: input.url ?? 'https://api.example.com/resource',
    iat: input.iat ?? Math.floor(Date.now() / 1000),
    ...(input.accessToken === undefined ? {} : { ath: athOf(input.accessToken) }),
    ...input.claims,
  });
  return signJws(alg, input.signer ?? input.key.privateKey, header, payload);
}

function dropUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** The RFC 9449 example (fixtures/rfc9449/resource-request.json, copied from the RFC text). */
export interface Rfc9449Example {
  readonly request: { readonly method: string; readonly url: string };
  readonly accessToken: string;
  readonly proof: string;
  readonly proofIat: number;
  readonly ath: string;
  readonly accessTokenClaims: Claims & { cnf: { jkt: string } };
}

export function rfc9449Example(): Rfc9449Example {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures', 'rfc9449', 'resource-request.json'), 'utf8')) as Rfc9449Example;
}
