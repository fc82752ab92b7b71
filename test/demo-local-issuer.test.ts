import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createVerifier } from '../src/index.js';
import { exportSigningKey, importSigningKey, mintToken, startLocalIssuer, type LocalIssuer } from '../src/demo/local-issuer.js';

let issuer: LocalIssuer;
before(async () => { issuer = await startLocalIssuer(); });
after(() => issuer.close());

const AUDIENCE = 'https://api.example.com';

function decodeSegment(token: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

test('issuer URL is http://127.0.0.1:<port>/oidc, as Logto spells its issuers', () => {
  assert.match(issuer.issuer, /^http:\/\/127\.0\.0\.1:\d+\/oidc$/);
  assert.equal(issuer.jwksUri, `${issuer.issuer}/jwks`);
});

test('discovery document names the issuer and jwks_uri (OIDC Discovery §4.2, §4.3)', async () => {
  const response = await fetch(`${issuer.issuer}/.well-known/openid-configuration`);
  assert.equal(response.status, 200);
  const document = (await response.json()) as Record<string, unknown>;
  assert.equal(document['issuer'], issuer.issuer);
  assert.equal(document['jwks_uri'], issuer.jwksUri);
});

test('JWKS holds one public ES384 signing key with its RFC 7638 kid, no private member', async () => {
  const jwks = (await (await fetch(issuer.jwksUri)).json()) as { keys: Array<Record<string, unknown>> };
  assert.equal(jwks.keys.length, 1);
  const [key] = jwks.keys;
  assert.deepEqual({ kty: key?.['kty'], crv: key?.['crv'], alg: key?.['alg'], use: key?.['use'], kid: key?.['kid'] },
    { kty: 'EC', crv: 'P-384', alg: 'ES384', use: 'sig', kid: issuer.signingKey.kid });
  assert.equal(key?.['d'], undefined);
});

test('unknown paths and methods are 404', async () => {
  assert.equal((await fetch(`${issuer.issuer}/token`)).status, 404);
  assert.equal((await fetch(issuer.jwksUri, { method: 'POST' })).status, 404);
});

test('minted tokens are Logto-shaped: header {alg ES384, typ at+jwt, kid}, claims jti sub iat exp scope client_id iss aud', () => {
  const token = issuer.mintToken({ audience: AUDIENCE, sub: 'user_123', scope: 'read:profile admin' });
  assert.deepEqual(decodeSegment(token, 0), { alg: 'ES384', typ: 'at+jwt', kid: issuer.signingKey.kid });
  const claims = decodeSegment(token, 1);
  assert.deepEqual(Object.keys(claims), ['jti', 'sub', 'iat', 'exp', 'scope', 'client_id', 'iss', 'aud']);
  assert.equal(claims['aud'], AUDIENCE);
  assert.equal(claims['iss'], issuer.issuer);
  assert.equal((claims['exp'] as number) - (claims['iat'] as number), 3600);
  assert.equal(decodeSegment(issuer.mintToken({ audience: AUDIENCE, organizationId: 'org_1' }), 1)['organization_id'], 'org_1');
  // Logto's organization token: aud is the organization's URN, no organization_id.
  const organizationClaims = decodeSegment(issuer.mintToken({ audience: AUDIENCE, organization: 'org_1' }), 1);
  assert.equal(organizationClaims['aud'], 'urn:logto:organization:org_1');
  assert.equal(organizationClaims['organization_id'], undefined);
  assert.deepEqual(decodeSegment(issuer.mintToken({ audience: AUDIENCE, jkt: 'thumbprint' }), 1)['cnf'], { jkt: 'thumbprint' }, 'DPoP-bound (RFC 9449 §6.1)');
  assert.equal(decodeSegment(issuer.mintToken({ audience: AUDIENCE }), 1)['cnf'], undefined);
});

test('minted tokens verify with the published JWKS (static key path, typ at+jwt)', async () => {
  const jwks = await (await fetch(issuer.jwksUri)).json();
  const verify = createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwks, typ: 'at+jwt', algorithms: ['ES384'] });
  const claims = await verify({ authorization: `Bearer ${issuer.mintToken({ audience: AUDIENCE, scope: 'admin' })}` }, { scopes: ['admin'] });
  assert.equal(claims.sub, 'user_123');
  await assert.rejects(verify({ authorization: `Bearer ${issuer.mintToken({ audience: AUDIENCE, expiresIn: -60 })}` }), { code: 'auth.jwt_expired' });
});

test('the exported signing key (what npm run token reads) signs tokens the issuer vouches for', async () => {
  const saved = JSON.parse(JSON.stringify(exportSigningKey(issuer.signingKey))) as ReturnType<typeof exportSigningKey>;
  const jwks = await (await fetch(issuer.jwksUri)).json();
  const verify = createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwks });
  const token = mintToken(importSigningKey(saved), { audience: AUDIENCE, sub: 'user_9' });
  assert.equal((await verify({ authorization: `Bearer ${token}` })).sub, 'user_9');
});

test('each start generates a new key', async () => {
  const other = await startLocalIssuer();
  try {
    assert.notEqual(other.signingKey.kid, issuer.signingKey.kid);
  } finally {
    await other.close();
  }
});
