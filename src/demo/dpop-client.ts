// The demo's DPoP client key and proofs, so curl can speak DPoP (RFC 9449). `npm run token`
// keeps one P-256 key pair in .clearjwt-dev/dpop-client.json (created on first use, readable
// only by this user), binds tokens to it, and signs proofs with it. Dev tooling only.

import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { computeJwkThumbprint } from '../index.js';

export interface DpopClientKey {
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey;
  /** The RFC 7638 thumbprint: the `cnf.jkt` of tokens bound to this key. */
  readonly jkt: string;
}

export function loadOrCreateClientKey(path: string): DpopClientKey {
  let privateJwk: JsonWebKey;
  try {
    privateJwk = JSON.parse(readFileSync(path, 'utf8')) as JsonWebKey;
  } catch {
    privateJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600 });
  }
  const privateKey = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const publicJwk: JsonWebKey = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, y: privateJwk.y };
  return { privateKey, publicJwk, jkt: computeJwkThumbprint(publicJwk) };
}

/** A DPoP proof (RFC 9449 §4.2) for one request; with `accessToken`, its `ath` too. */
export function makeProof(key: DpopClientKey, method: string, url: string, accessToken?: string): string {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk };
  const claims = {
    jti: randomUUID(),
    htm: method,
    htu: url.split(/[?#]/, 1)[0],
    iat: Math.floor(Date.now() / 1000),
    ...(accessToken === undefined ? {} : { ath: createHash('sha256').update(accessToken, 'ascii').digest('base64url') }),
  };
  const signingInput = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
